using System.Security.Cryptography;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Runs;

/// <summary>
/// Turns what the engine and the watchers measured into the results contract: a service's summary with its grades
/// (graded at run time, with the service's and each scenario's threshold tables), its rows of timeseries.csv, and the
/// run's summary.json.
/// </summary>
public static class RunSummarizer
{
    /// <summary>A service's summary: its metrics over all scenarios (merged exactly), each scenario's and each step's, graded.</summary>
    public static ServiceSummary Service(Core.Configuration.ServiceConfig service, LoadRunResult result, Core.Configuration.LoadConfig load)
    {
        var duration = result.Duration;
        var all = result.Scenarios.Count == 0 ? null : OperationResult.Merge(result.Scenarios.Select(s => s.Requests));
        var metrics = all is null ? MetricSet.Empty
            : MetricSet.From(all, duration, result.Scenarios.Sum(s => s.PlannedIterations), result.Scenarios.Sum(s => s.DroppedIterations));
        var scenarioSummaries = result.Scenarios.Select(s =>
        {
            var set = MetricSet.From(s.Requests, duration, s.PlannedIterations, s.DroppedIterations);
            return new ScenarioSummary(s.Name, s.Iterations, s.FailedIterations, s.InterruptedIterations, s.DroppedIterations, set, Grade(service, s.Name, set, load), s.Checks,
                s.Steps.Select(step => new StepSummary(step.Step!, MetricSet.From(step, duration))).ToList());
        }).ToList();
        return new ServiceSummary(service.Name, service.BaseUrl!.ToString(), service.Embedded, result.Aborted, result.AbortReason, duration.TotalSeconds,
            metrics, Grade(service, null, metrics, load),
            result.Thresholds.Select(t => new ThresholdOutcome(t.Definition.Selector.ToString(), t.Definition.Expression.Text, t.Passed, t.Actual)).ToList(),
            scenarioSummaries);
    }

    /// <summary>
    /// The grades of a service's metrics (scenario null) or a scenario's, with the service's or the scenario's threshold
    /// table; scenarios are not graded on throughput (a scenario carries only its weight's share of the requests).
    /// </summary>
    public static IReadOnlyList<GradedMetric> Grade(Core.Configuration.ServiceConfig service, string? scenario, MetricSet metrics, Core.Configuration.LoadConfig load) =>
        metrics.Grade(scenario is null ? service.Thresholds : service.Scenarios.FirstOrDefault(c => c.Name == scenario)?.Thresholds ?? service.Thresholds,
            throughput: scenario is null && load.GradesThroughput, load.GradedLatency, load.MaxDroppedPercent);

    /// <summary>A service's rows of timeseries.csv: each interval of each scenario, and the totals, in time order.</summary>
    public static IEnumerable<TimeSeriesRow> Series(string phase, string service, LoadRunResult result) =>
        result.Intervals.Concat(result.Totals).OrderBy(i => i.Elapsed).Select(i => new TimeSeriesRow(phase, service, i.Elapsed.TotalSeconds, i.Scenario, i.Requests, i.Errors,
            i.Iterations, i.Dropped, i.Vus, i.LatencyP50, i.LatencyP95, i.LatencyP99, i.ServiceP99)
        {
            IntervalSeconds = i.Length.TotalSeconds,
            LatencyCorrectedP99 = i.LatencyCorrectedP99,
        });

    /// <summary>The run's summary.json from its phases.</summary>
    public static RunSummary Summary(string runId, RunRequest request, DateTimeOffset started, GitInfo git, string? abortReason, IReadOnlyList<PhaseResult> phases)
    {
        var config = request.Settings.Config;
        var generator = phases.SelectMany(p => p.Results).SelectMany(r => r.Generator).ToList();
        return new RunSummary
        {
            RunId = runId,
            Target = request.Target,
            StartedAt = started,
            FinishedAt = DateTimeOffset.UtcNow,
            Aborted = abortReason is not null,
            AbortReason = abortReason,
            Git = git,
            ConfigFile = request.ConfigDisplayPath,
            ConfigDigest = Digest(config.SourcePath),
            Concurrent = request.Settings.Concurrent,
            Phases = [.. phases.Select(p => p.Summary)],
            Resources = [.. phases.SelectMany(p => p.Resources)],
            Database = phases.Select(p => p.Database).LastOrDefault(d => d is not null),
            GradedLatency = config.Load.GradedLatency,
            Generator = generator.Count == 0 ? null : new GeneratorSummary(generator.Max(g => g.CpuPercent), generator.Average(g => g.CpuPercent),
                generator.Max(g => g.ResidentBytes), generator.Any(g => g.CpuPercent > 80), generator),
        };
    }

    private static string Digest(string path) =>
        File.Exists(path) ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : "none";
}
