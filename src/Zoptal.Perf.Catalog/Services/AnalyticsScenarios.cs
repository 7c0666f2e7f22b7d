using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog.Services;

/// <summary>Analytics: event tracking in batches, and queries over a time range.</summary>
public sealed class AnalyticsScenarios : IServiceScenarios
{
    private static readonly DataFeed<string> Events = DataFeed.FromList("event-names",
        ["page_view", "signup", "project_created", "build_started", "deploy_finished", "ai_generation"], FeedStrategy.Random);

    public string Service => "analytics";

    public IReadOnlyList<Scenario> Scenarios { get; } =
    [
        Scenario.Create("event-tracking", EventTracking).WithWeight(70),
        Scenario.Create("queries", Queries).WithWeight(30),
    ];

    private static async Task EventTracking(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        var now = DateTimeOffset.UtcNow;
        var batch = Enumerable.Range(0, 10).Select(i => new
        {
            name = Events.Next(),
            timestamp = now.AddMilliseconds(-i * 100),
            properties = new Dictionary<string, string> { ["path"] = $"/page/{i}", ["session"] = $"{ctx.VuId}" },
        }).ToList();
        using var accepted = await ctx.PostJson("/analytics/events", new { events = batch });
        ctx.Status("batch accepted", accepted, 202);
        ctx.Check("every event accepted", (await accepted.Json()).Num("accepted") == batch.Count);
    }

    private static async Task Queries(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var from = to.AddHours(-1);
        var range = $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";
        using (var series = await ctx.Step("time-series", () => ctx.Http.GetAsync($"/analytics/query?event={Events.Next()}&interval=minute&{range}")))
        {
            ctx.Status("time series status", series, 200);
            ctx.Check("time series has buckets", (await series.Json()).Count("buckets") >= 0);
        }

        using var summary = await ctx.Step("summary", () => ctx.Http.GetAsync($"/analytics/summary?{range}"));
        ctx.Status("summary status", summary, 200);
    }
}
