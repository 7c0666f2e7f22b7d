using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog.Services;

/// <summary>AI: code generation and analysis, model selection, and bursts of concurrent requests.</summary>
public sealed class AiScenarios : IServiceScenarios
{
    private static readonly string[] Models = ["zoptal-fast", "zoptal-balanced", "zoptal-large"];

    private static readonly DataFeed<string> Prompts = DataFeed.FromList("prompts",
    [
        "Write a React hook that debounces a value.",
        "Create an Express middleware that logs request durations.",
        "Write a function that validates an email address and returns a reason when it is invalid.",
        "Implement a retry with exponential backoff for fetch calls.",
        "Write a SQL query that returns the ten most active users of the last week.",
    ], FeedStrategy.Circular);

    private static readonly DataFeed<string> Snippets = DataFeed.FromList("code-snippets",
    [
        "var total = 0;\nfor (var i = 0; i < items.length; i++) { total += items[i].price; }\nconsole.log(total);",
        "function eq(a, b) { return a == b; }",
        "const sum = (xs) => xs.reduce((a, b) => a + b, 0);\nexport default sum;",
    ], FeedStrategy.Random);

    public string Service => "ai";

    public IReadOnlyList<Scenario> Scenarios { get; } =
    [
        Scenario.Create("code-generation", CodeGeneration).WithWeight(40),
        Scenario.Create("code-analysis", CodeAnalysis).WithWeight(30),
        // The large model may be at its limit while a burst runs: a 429 is the service's answer, not a failure.
        Scenario.Create("model-selection", ModelSelection).WithWeight(15).WithExpectedStatuses(200, 429),
        // Bursts beyond a model's concurrency limit are answered 429 by design: expected, not failures.
        Scenario.Create("concurrent-requests", ConcurrentRequests).WithWeight(15).WithExpectedStatuses(200, 429),
    ];

    private static async Task CodeGeneration(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        using var response = await ctx.PostJson("/ai/generate", new { model = "zoptal-fast", prompt = Prompts.Next(), maxTokens = 256 });
        ctx.Status("generation status", response, 200);
        var body = await response.Json();
        ctx.Check("generation returns code", body.Str("code")?.Contains("export function", StringComparison.Ordinal) == true);
        ctx.Check("generation reports token usage", body.TryGetProperty("usage", out var usage) && usage.Num("totalTokens") > 0);
    }

    private static async Task CodeAnalysis(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        using var response = await ctx.PostJson("/ai/analyze", new { model = "zoptal-balanced", code = Snippets.Next() });
        ctx.Status("analysis status", response, 200);
        ctx.Check("analysis returns a list of issues", (await response.Json()).Count("issues") >= 0);
    }

    private static async Task ModelSelection(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        using (var models = await ctx.Step("models", () => ctx.Http.GetAsync("/ai/models")))
            ctx.Check("three models listed", (await models.Json()).GetArrayLength() == Models.Length);
        var model = Models[(int)(ctx.Iteration % Models.Length)];
        using var response = await ctx.Step(model, () => ctx.PostJson("/ai/generate", new { model, prompt = Prompts.Next(), maxTokens = 128 }));
        ctx.Check("the chosen model answered, or asked to retry", (int)response.StatusCode == 429 || (await response.Json()).Str("model") == model);
        using var usage = await ctx.Step("usage", () => ctx.Http.GetAsync("/ai/usage"));
        ctx.Status("usage status", usage, 200);
    }

    private static async Task ConcurrentRequests(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        // Eight requests at once to the large model (limit 6 in flight across all users).
        var burst = Enumerable.Range(0, 8).Select(_ => ctx.PostJson("/ai/generate", new { model = "zoptal-large", prompt = Prompts.Next(), maxTokens = 64 })).ToList();
        var responses = await Task.WhenAll(burst);
        var ok = responses.Count(r => r.StatusCode == System.Net.HttpStatusCode.OK);
        var limited = responses.Count(r => (int)r.StatusCode == 429);
        ctx.Check("every burst request answered 200 or 429", ok + limited == responses.Length);
        // A burst of 8 beyond the limit of 6 must be cut: at least 2 answered 429 (other users may take the rest).
        ctx.Check("the concurrency limit cuts the burst", limited >= 2);
        ctx.Check("429 carries Retry-After", responses.Where(r => (int)r.StatusCode == 429).All(r => r.Headers.RetryAfter is not null));
        foreach (var response in responses)
            response.Dispose();
    }
}
