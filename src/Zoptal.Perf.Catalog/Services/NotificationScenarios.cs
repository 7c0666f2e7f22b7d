using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog.Services;

/// <summary>Notification: sending on each channel, delivery status, and preferences.</summary>
public sealed class NotificationScenarios : IServiceScenarios
{
    private static readonly DataFeed<string> Templates = DataFeed.FromList("notification-templates",
        ["welcome", "build-finished", "invoice-ready", "password-changed", "weekly-digest"], FeedStrategy.Random);

    public string Service => "notification";

    public IReadOnlyList<Scenario> Scenarios { get; } =
    [
        Scenario.Create("sending", Sending).WithWeight(60),
        Scenario.Create("preferences", Preferences).WithWeight(40),
    ];

    private static async Task Sending(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        var channel = (ctx.Iteration % 3) switch { 0 => "email", 1 => "push", _ => "sms" };
        using var sent = await ctx.Step("send", () => ctx.PostJson("/notifications", new { channel, template = Templates.Next(), data = new { project = "demo" } }));
        ctx.Status("send accepted", sent, 202);
        var body = await sent.Json();
        ctx.Check("queued, or suppressed by preferences", body.Str("status") is "queued" or "suppressed");
        if (body.Str("id") is { } id)
        {
            using var status = await ctx.Step("status", () => ctx.Http.GetAsync($"/notifications/{id}"));
            ctx.Status("status lookup", status, 200);
        }
    }

    private static async Task Preferences(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        using (var read = await ctx.Step("read", () => ctx.Http.GetAsync("/notifications/preferences")))
            ctx.Status("preferences read", read, 200);
        var sms = ctx.Iteration % 2 == 0;
        using (var updated = await ctx.Step("update", () => ctx.PutJson("/notifications/preferences", new { email = true, sms, push = true, quietHoursStart = 22, quietHoursEnd = 7 })))
        {
            ctx.Status("preferences updated", updated, 200);
            ctx.Check("update is kept", (await updated.Json()).TryGetProperty("sms", out var value) && value.GetBoolean() == sms);
        }

        using var history = await ctx.Step("history", () => ctx.Http.GetAsync("/notifications"));
        ctx.Status("history status", history, 200);
    }
}
