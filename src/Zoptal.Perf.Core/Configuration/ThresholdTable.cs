namespace Zoptal.Perf.Core.Configuration;

/// <summary>A graded metric's verdict.</summary>
public enum Grade
{
    /// <summary>Within the good range.</summary>
    Good,

    /// <summary>Between the warning and critical bounds.</summary>
    Warning,

    /// <summary>Past the critical bound.</summary>
    Critical,
}

/// <summary>Which way a metric gets worse.</summary>
public enum MetricDirection
{
    /// <summary>Latency, error rate, CPU, memory.</summary>
    HigherIsWorse,

    /// <summary>Throughput.</summary>
    LowerIsWorse,
}

/// <summary>A graded metric's name, unit and direction.</summary>
public sealed record MetricDefinition(string Key, string Title, string Unit, MetricDirection Direction)
{
    /// <summary>The metrics the grading table knows, in the order reports show them.</summary>
    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        new("responseTimeAvg", "Response time (avg)", "ms", MetricDirection.HigherIsWorse),
        new("responseTimeP95", "Response time (p95)", "ms", MetricDirection.HigherIsWorse),
        new("responseTimeP99", "Response time (p99)", "ms", MetricDirection.HigherIsWorse),
        new("requestsPerSecond", "Requests/s", "req/s", MetricDirection.LowerIsWorse),
        new("errorRate", "Error rate", "%", MetricDirection.HigherIsWorse),
        new("cpu", "CPU usage", "%", MetricDirection.HigherIsWorse),
        new("memory", "Memory usage", "%", MetricDirection.HigherIsWorse),
    ];

    /// <summary>Looks a metric up by key.</summary>
    public static MetricDefinition? Find(string key) => All.FirstOrDefault(m => m.Key == key);
}

/// <summary>
/// The bounds of one metric. For a metric where higher is worse: below <see cref="Warning"/> is good, up to
/// <see cref="Critical"/> is a warning, above it critical. Where lower is worse, the other way round.
/// </summary>
public sealed record GradeBounds(double Warning, double Critical, MetricDirection Direction)
{
    /// <summary>Grades a value.</summary>
    public Grade Grade(double value) => Direction == MetricDirection.HigherIsWorse
        ? value < Warning ? Configuration.Grade.Good : value <= Critical ? Configuration.Grade.Warning : Configuration.Grade.Critical
        : value > Warning ? Configuration.Grade.Good : value >= Critical ? Configuration.Grade.Warning : Configuration.Grade.Critical;

    /// <summary>True when the bounds are in the right order for the direction.</summary>
    public bool IsOrdered => Direction == MetricDirection.HigherIsWorse ? Warning <= Critical : Warning >= Critical;
}

/// <summary>The good/warning/critical table, per metric key.</summary>
public sealed record ThresholdTable(IReadOnlyDictionary<string, GradeBounds> Metrics)
{
    /// <summary>The platform guide's table.</summary>
    public static ThresholdTable Default { get; } = new(new Dictionary<string, GradeBounds>
    {
        ["responseTimeAvg"] = new(500, 1000, MetricDirection.HigherIsWorse),
        ["responseTimeP95"] = new(1000, 2000, MetricDirection.HigherIsWorse),
        ["requestsPerSecond"] = new(100, 50, MetricDirection.LowerIsWorse),
        ["errorRate"] = new(1, 5, MetricDirection.HigherIsWorse),
        ["cpu"] = new(60, 80, MetricDirection.HigherIsWorse),
        ["memory"] = new(70, 85, MetricDirection.HigherIsWorse),
    });

    /// <summary>Grades a value of a metric, or null when the table does not grade that metric.</summary>
    public Grade? Grade(string metric, double value) => Metrics.TryGetValue(metric, out var bounds) ? bounds.Grade(value) : null;

    /// <summary>This table with another's metrics replacing its own.</summary>
    public ThresholdTable With(IReadOnlyDictionary<string, GradeBounds> overrides)
    {
        var merged = new Dictionary<string, GradeBounds>(Metrics);
        foreach (var (key, bounds) in overrides)
            merged[key] = bounds;
        return new ThresholdTable(merged);
    }
}
