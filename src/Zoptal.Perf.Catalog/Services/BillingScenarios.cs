using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog.Services;

/// <summary>Billing: usage tracking and usage queries, and invoices generated from usage.</summary>
public sealed class BillingScenarios : IServiceScenarios
{
    private static readonly DataFeed<(string Metric, decimal Quantity)> Usage = DataFeed.FromList<(string, decimal)>("usage",
        [("api-calls", 120), ("build-minutes", 3.5m), ("ai-tokens", 2048), ("storage-gb", 0.25m)], FeedStrategy.Circular);

    public string Service => "billing";

    public IReadOnlyList<Scenario> Scenarios { get; } =
    [
        Scenario.Create("usage-tracking", UsageTracking).WithWeight(70),
        Scenario.Create("invoices", Invoices).WithWeight(30),
    ];

    private static async Task UsageTracking(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        var (metric, quantity) = Usage.Next();
        using (var recorded = await ctx.Step("record", () => ctx.PostJson("/billing/usage", new { metric, quantity })))
            ctx.Status("usage recorded", recorded, 202);
        using var totals = await ctx.Step("totals", () => ctx.Http.GetAsync("/billing/usage"));
        ctx.Status("usage query status", totals, 200);
        ctx.Check("usage totals include the metric", (await totals.Json()).Count("totals") > 0);
    }

    private static async Task Invoices(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        using (var recorded = await ctx.PostJson("/billing/usage", new { metric = "api-calls", quantity = 10 }))
            ctx.Status("usage recorded", recorded, 202);
        using (var created = await ctx.Step("generate", () => ctx.Http.PostAsync("/billing/invoices", null)))
        {
            ctx.Status("invoice created", created, 201);
            ctx.Check("invoice has a total", (await created.Json()).Num("totalCents") >= 0);
        }

        using var listed = await ctx.Step("list", () => ctx.Http.GetAsync("/billing/invoices"));
        ctx.Check("invoices listed", (await listed.Json()).GetArrayLength() > 0);
    }
}
