using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>
/// What every renderer gets: the run and its per-second series, the gate's verdict, the baseline and the
/// regression verdicts against it, the base branch's recent runs for trends, and when the report was made.
/// </summary>
public sealed record ReportModel(RunSummary Run, GateResult Gate, DateTimeOffset GeneratedAt)
{
    /// <summary>The run's per-second series.</summary>
    public RunSeries Series { get; init; } = RunSeries.Empty;

    /// <summary>What the run was compared with (null: no history was consulted).</summary>
    public Baseline? Baseline { get; init; }

    /// <summary>Faster, Same or Slower per service and scenario of the load phase.</summary>
    public IReadOnlyList<RegressionResult> Regressions { get; init; } = [];

    /// <summary>The newest optimization report in the results folder (its file name), or null.</summary>
    public string? OptimizationReport { get; init; }

    /// <summary>Which latency the run's grades used.</summary>
    public Core.Configuration.GradedLatency GradedLatency => Run.GradedLatency ?? Core.Configuration.GradedLatency.Measured;

    /// <summary>The base branch's recent runs, oldest first, the current run not included.</summary>
    public IReadOnlyList<HistoryEntry> Trend { get; init; } = [];

    /// <summary>The baseline's value of a service metric of the load phase: the median over the baseline runs; null when none has it.</summary>
    public double? BaselineValue(string service, Func<MetricSet, double> metric)
    {
        var median = RegressionAnalyzer.Median((Baseline?.Runs ?? []).SelectMany(r => r.Summary.Phases.Where(p => p.Name == PhaseSummary.Load))
            .SelectMany(p => p.Services.Where(s => s.Name == service)).Select(s => metric(s.Metrics)));
        return double.IsNaN(median) ? null : median;
    }

    /// <summary>
    /// The verdicts without the numbers: the gate's outcome, every grade and every regression verdict. Two runs with the
    /// same state tell a pull request the same thing (what <c>--comment on-change</c> compares).
    /// </summary>
    public string VerdictState() => string.Join('\n',
        new[] { $"passed={Gate.Passed}", $"policy={Gate.Policy}" }
            .Concat(Run.Phases.SelectMany(p => p.Services.SelectMany(s => s.Grades.Select(g => $"{p.Name}/{s.Name}/{g.Metric}={g.Grade}"))))
            .Concat(Regressions.Select(r => $"{r.Name}={r.Verdict}")));

    /// <summary>The regression verdict of a service (scenario null) or scenario.</summary>
    public RegressionResult? RegressionOf(string service, string? scenario = null) =>
        Regressions.FirstOrDefault(r => r.Service == service && r.Scenario == scenario);

    /// <summary>The guide's TIMESTAMP in file names: the run's start, <c>yyyyMMdd_HHmmss</c> in UTC.</summary>
    public string Stamp => Run.StartedAt.UtcDateTime.ToString("yyyyMMdd_HHmmss", System.Globalization.CultureInfo.InvariantCulture);
}
