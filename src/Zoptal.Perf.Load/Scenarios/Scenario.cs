namespace Zoptal.Perf.Load.Scenarios;

/// <summary>
/// A named async function of a <see cref="ScenarioContext"/>, run once per iteration, in the spirit of NBomber and k6:
/// <c>Scenario.Create("login", async ctx =&gt; { var r = await ctx.Http.PostAsync(...); ctx.Check("status 200", r.IsSuccessStatusCode); })</c>.
/// </summary>
public sealed record Scenario
{
    private Scenario(string name, Func<ScenarioContext, Task> run)
    {
        Name = name;
        Run = run;
    }

    /// <summary>The scenario's name (metrics and thresholds refer to it).</summary>
    public string Name { get; }

    /// <summary>One iteration.</summary>
    public Func<ScenarioContext, Task> Run { get; }

    /// <summary>Relative share in a mix of scenarios.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Runs once before the load (k6's setup): create users, warm caches.</summary>
    public Func<ScenarioSetupContext, Task>? Init { get; init; }

    /// <summary>Runs once after the load (k6's teardown), also after Ctrl+C.</summary>
    public Func<ScenarioSetupContext, Task>? Cleanup { get; init; }

    /// <summary>Pause after each iteration of a closed-model VU; null: the config's <c>load.thinkTime</c>.</summary>
    public TimeSpan? ThinkTime { get; init; }

    /// <summary>
    /// Response statuses that are not failures (k6's <c>expectedStatuses</c>). Null: every status below 400.
    /// A scenario that verifies a rate limit expects its 429s, so they do not count against the error rate.
    /// </summary>
    public IReadOnlySet<int>? ExpectedStatuses { get; init; }

    /// <summary>Creates a scenario.</summary>
    public static Scenario Create(string name, Func<ScenarioContext, Task> run) => new(name, run);

    /// <summary>Sets the weight.</summary>
    public Scenario WithWeight(int weight) => weight > 0 ? this with { Weight = weight } : throw new ArgumentOutOfRangeException(nameof(weight), "A weight is at least 1.");

    /// <summary>Sets the statuses that are not failures (replacing the default of everything below 400).</summary>
    public Scenario WithExpectedStatuses(params int[] statuses) =>
        statuses.Length > 0 && statuses.All(s => s is >= 100 and <= 599)
            ? this with { ExpectedStatuses = statuses.ToHashSet() }
            : throw new ArgumentOutOfRangeException(nameof(statuses), "Expected statuses are HTTP statuses, 100 to 599, at least one.");

    /// <summary>Whether a response status counts as a success in this scenario.</summary>
    public bool IsExpected(int status) => ExpectedStatuses?.Contains(status) ?? status is > 0 and < 400;

    /// <summary>Sets the think time.</summary>
    public Scenario WithThinkTime(TimeSpan thinkTime) => this with { ThinkTime = thinkTime };
}

/// <summary>What init and cleanup hooks get: an HTTP client on the service and a log.</summary>
public sealed record ScenarioSetupContext(HttpClient Http, Action<string> Log, CancellationToken Cancellation);
