using System.Text.Json.Serialization;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Probes.Resources;

namespace Zoptal.Perf.Results;

/// <summary>summary.json: a run, complete and self-describing (schema in docs/results.md).</summary>
public sealed record RunSummary
{
    /// <summary>The schema's version; a reader refuses versions it does not know.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required string RunId { get; init; }
    public required string Target { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public bool Aborted { get; init; }
    public string? AbortReason { get; init; }
    public GitInfo Git { get; init; } = new(null, null);
    public required string ConfigFile { get; init; }
    public required string ConfigDigest { get; init; }
    public bool Concurrent { get; init; }
    public IReadOnlyList<PhaseSummary> Phases { get; init; } = [];
    public GeneratorSummary? Generator { get; init; }

    /// <summary>Processes and containers watched during each phase, graded on CPU and memory.</summary>
    public IReadOnlyList<WatchedResource> Resources { get; init; } = [];

    /// <summary>The PostgreSQL analysis around Benchmark's load phase; null when the config has no database.</summary>
    public DatabaseReport? Database { get; init; }

    /// <summary>Which latency the grades used (<c>load.gradedLatency</c>); null in runs from before the choice existed (measured).</summary>
    public GradedLatency? GradedLatency { get; init; }
}

/// <summary>
/// A process or container watched during a phase, graded on its mean CPU and peak memory. <c>Gated</c> is false for
/// the embedded sample platform: it shares the machine with the load generator, so its usage says little about a
/// real deployment; it is graded and reported, never failing the gate.
/// </summary>
public sealed record WatchedResource(string Phase, ResourceSummary Resource, IReadOnlyList<GradedMetric> Grades, bool Gated)
{
    /// <summary>The grades of a resource with the config's table: <c>cpu</c> on the mean CPU %, <c>memory</c> on the peak memory %.</summary>
    public static IReadOnlyList<GradedMetric> Grade(ResourceSummary resource, ThresholdTable table) => resource.Problem is not null ? [] :
    [
        .. new (string Key, double Value)[] { ("cpu", resource.CpuMeanPercent), ("memory", resource.MemoryMaxPercent) }
            .Where(m => table.Metrics.ContainsKey(m.Key)).Select(m => new GradedMetric(m.Key, m.Value, table.Grade(m.Key, m.Value)!.Value)),
    ];
}

/// <summary>A phase (load, stress) and its services.</summary>
public sealed record PhaseSummary(string Name, string Executor, int Vus, double DurationSeconds, IReadOnlyList<ServiceSummary> Services)
{
    /// <summary>The load in its executor's terms (<c>100 iterations/s, 20 VUs preallocated, up to 200</c>); null in older runs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Profile { get; init; }

    /// <summary>Why requests/s was not graded in this phase (a closed model, or the config said so); null when it was.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ThroughputNote { get; init; }

    /// <summary>How reports label the phase's load: <see cref="Profile"/>, or the VUs of runs from before it was kept.</summary>
    public string LoadLabel => Profile ?? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Vus:#,0} VUs");

    /// <summary>The load phase's name.</summary>
    public const string Load = "load";

    /// <summary>Benchmark's stress phase: past capacity on purpose, reported but not gated.</summary>
    public const string Stress = "stress";
}

/// <summary>One service in a phase.</summary>
public sealed record ServiceSummary(
    string Name,
    string BaseUrl,
    bool Embedded,
    bool Aborted,
    string? AbortReason,
    double DurationSeconds,
    MetricSet Metrics,
    IReadOnlyList<GradedMetric> Grades,
    IReadOnlyList<ThresholdOutcome> Thresholds,
    IReadOnlyList<ScenarioSummary> Scenarios)
{
    /// <summary>All requests' latency (µs) as runs before <see cref="MetricSet.Histograms"/> kept it; null in newer runs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LatencyHistogram { get; init; }

    /// <summary>The latency histogram's payload, in this run's form or an older run's; null when the run kept none.</summary>
    public string? LatencyHistogramPayload => Metrics.Histograms?.Latency ?? LatencyHistogram;
}

/// <summary>One scenario of a service.</summary>
public sealed record ScenarioSummary(
    string Name,
    long Iterations,
    long FailedIterations,
    long InterruptedIterations,
    long DroppedIterations,
    MetricSet Metrics,
    IReadOnlyList<GradedMetric> Grades,
    IReadOnlyList<CheckResult> Checks,
    IReadOnlyList<StepSummary> Steps)
{
    /// <summary>The scenario's latency (µs) as runs before <see cref="MetricSet.Histograms"/> kept it; null in newer runs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LatencyHistogram { get; init; }

    /// <summary>The latency histogram's payload, in this run's form or an older run's; null when the run kept none.</summary>
    public string? LatencyHistogramPayload => Metrics.Histograms?.Latency ?? LatencyHistogram;
}

/// <summary>One named step of a scenario.</summary>
public sealed record StepSummary(string Name, MetricSet Metrics);

/// <summary>
/// Requests and their timing; times in milliseconds. <see cref="Latency"/> is measured from each request's intended
/// start (open models: the schedule; closed models: the call); <see cref="LatencyCorrected"/> adds the requests a
/// closed-model stall kept from being sent (equal to <see cref="Latency"/> in open models).
/// </summary>
public sealed record MetricSet(
    long Requests,
    long Failed,
    IReadOnlyDictionary<string, long> Failures,
    double RequestsPerSecond,
    double ErrorRatePercent,
    long BytesSent,
    long BytesReceived,
    LatencySummary Latency,
    LatencySummary ServiceTime)
{
    /// <summary>The corrected latency; null in runs from before it was measured.</summary>
    public LatencySummary? LatencyCorrected { get; init; }

    /// <summary>The three latencies' histograms, so runs merge exactly (<see cref="RunMerge"/>); null in runs before they were kept.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MetricHistograms? Histograms { get; init; }

    /// <summary>Requests the client sent again automatically (a reused connection closed before answering).</summary>
    public long Retries { get; init; }

    /// <summary>Arrival-rate iterations never started (no free VU, the backlog full, or <c>onSaturation: drop</c>).</summary>
    public long DroppedIterations { get; init; }

    /// <summary>Iterations the load profile planned: completed, interrupted and dropped.</summary>
    public long PlannedIterations { get; init; }

    /// <summary>Dropped iterations as a share of the planned ones, in percent.</summary>
    public double DroppedPercent => PlannedIterations > 0 ? 100.0 * DroppedIterations / PlannedIterations : 0;

    /// <summary>No requests at all (a service whose scenarios never ran).</summary>
    public static MetricSet Empty { get; } = new(0, 0, new Dictionary<string, long>(), 0, 0, 0, 0, LatencySummary.Empty, LatencySummary.Empty);

    /// <summary>The metric set of a result over a duration, with the iterations it planned and dropped.</summary>
    public static MetricSet From(OperationResult result, TimeSpan duration, long planned = 0, long dropped = 0) => new(
        result.Requests,
        result.Failed,
        result.Failures.Where(f => f.Value > 0).ToDictionary(f => Enum.GetName(f.Key)!, f => f.Value),
        duration.TotalSeconds > 0 ? result.Requests / duration.TotalSeconds : 0,
        result.Requests > 0 ? 100.0 * result.Failed / result.Requests : 0,
        result.BytesSent,
        result.BytesReceived,
        result.Latency,
        result.ServiceTime)
    {
        LatencyCorrected = result.LatencyCorrected,
        Histograms = new MetricHistograms(HdrLog.Encode(result.LatencyTrend.Histogram), HdrLog.Encode(result.LatencyCorrectedTrend.Histogram),
            HdrLog.Encode(result.ServiceTimeTrend.Histogram)),
        Retries = result.Retries,
        PlannedIterations = planned,
        DroppedIterations = dropped,
    };

    /// <summary>The latency the grades use.</summary>
    public LatencySummary LatencyForGrades(GradedLatency graded) => graded == Core.Configuration.GradedLatency.Corrected ? LatencyCorrected ?? Latency : Latency;

    /// <summary>The grade's key for dropped iterations.</summary>
    public const string DroppedKey = "droppedIterations";

    /// <summary>
    /// The graded values: response times (the corrected latency by default, so stalls count in closed models too),
    /// throughput, errors; and, when more than <paramref name="maxDroppedPercent"/> of the planned iterations were
    /// dropped, a critical grade saying the latency is not measurable: the percentiles miss exactly the slowest part.
    /// Scenarios are not graded on throughput: a scenario carries only its weight's share of a service's requests.
    /// </summary>
    public IReadOnlyList<GradedMetric> Grade(ThresholdTable table, bool throughput = true, GradedLatency graded = Core.Configuration.GradedLatency.Corrected,
        double maxDroppedPercent = 1)
    {
        var latency = LatencyForGrades(graded);
        var grades = new (string Key, double Value)[]
            {
                ("responseTimeAvg", latency.Mean),
                ("responseTimeP95", latency.P95),
                ("responseTimeP99", latency.P99),
                ("requestsPerSecond", RequestsPerSecond),
                ("errorRate", ErrorRatePercent),
            }.Where(m => table.Metrics.ContainsKey(m.Key) && (throughput || m.Key != "requestsPerSecond"))
            .Select(m => new GradedMetric(m.Key, m.Value, table.Grade(m.Key, m.Value)!.Value)).ToList();
        if (DroppedIterations > 0)
        {
            var saturated = DroppedPercent > maxDroppedPercent;
            grades.Add(new GradedMetric(DroppedKey, DroppedPercent, saturated ? Core.Configuration.Grade.Critical : Core.Configuration.Grade.Good)
            {
                Note = saturated
                    ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"latency not measurable: the generator saturated ({DroppedIterations:#,0} of {PlannedIterations:#,0} planned iterations dropped, {DroppedPercent:0.##}% > {maxDroppedPercent:0.##}%); the percentiles miss the slowest requests")
                    : null,
            });
        }

        return grades;
    }
}

/// <summary>
/// A metric set's latencies (µs) as HdrHistogram's compressed V2 encoding in base64, the payload of an HDR log line:
/// the measured latency, the corrected latency and the service time.
/// </summary>
public sealed record MetricHistograms(string Latency, string LatencyCorrected, string ServiceTime);

/// <summary>A value and its grade, with a note when the grade needs one (why a run's latency is not measurable).</summary>
public sealed record GradedMetric(string Metric, double Value, Grade Grade)
{
    /// <summary>Why, in words, when the number alone does not say it.</summary>
    public string? Note { get; init; }
}

/// <summary>A k6 threshold's outcome.</summary>
public sealed record ThresholdOutcome(string Metric, string Expression, bool Passed, double Actual);

/// <summary>The generator's own load: when its CPU passed 80 %, the numbers measure the generator too.</summary>
public sealed record GeneratorSummary(double CpuMaxPercent, double CpuMeanPercent, long ResidentMaxBytes, bool Bottleneck, IReadOnlyList<GeneratorSample> Samples);
