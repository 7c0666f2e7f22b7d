using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>Writes a complete run into a results folder, as LoadTest and Benchmark do, for the advice that reads the newest run.</summary>
internal static class NewestRun
{
    public static string Write(string resultsRoot, DatabaseReport? database = null, params (string Service, double P95, double RequestsPerSecond)[] services)
    {
        var summary = new RunSummary
        {
            RunId = "ignored",
            Target = "Benchmark",
            StartedAt = DateTimeOffset.UtcNow,
            ConfigFile = "perf-config.yml",
            ConfigDigest = "none",
            Phases =
            [
                new PhaseSummary(PhaseSummary.Load, "constant-vus", 10, 30, [.. services.Select(s => new ServiceSummary(s.Service, "http://127.0.0.1:1/", false, false, null, 30,
                    MetricSet.Empty with { RequestsPerSecond = s.RequestsPerSecond, Latency = LatencySummary.Empty with { P95 = s.P95 } }, [], [], []))]),
            ],
            Database = database,
        };
        var run = RunDirectory.Create(resultsRoot, summary.StartedAt, null);
        run.Complete(summary with { RunId = run.RunId }, []);
        return run.FinalPath;
    }

    public static DatabaseReport Database(double? tableCacheHitPercent, IReadOnlyList<QueryStat> slowest, params DbFinding[] findings) =>
        new("127.0.0.1:5432/app", "16.4", null, true, [], tableCacheHitPercent, null, 0, 0, findings) { SlowestQueries = slowest };
}
