using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Runs.Results;

namespace Zoptal.Perf.Reporting.Tests;

public sealed class HistoryStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("zoptal-history-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static RunSummary At(string id, int minute, string branch, bool aborted = false) => Runs.Mixed() with
    {
        RunId = id,
        StartedAt = new DateTimeOffset(2026, 11, 26, 12, minute, 0, TimeSpan.Zero),
        Git = new GitInfo("c0ffee0" + id, branch),
        Aborted = aborted,
    };

    [Fact]
    public void Baseline_candidates_are_the_branchs_complete_runs_before_a_time_newest_first_never_pull_requests()
    {
        using var store = new SqliteHistoryStore(Path.Combine(_root, "history.db"));
        store.Record(At("a", 1, "main"), null);
        store.Record(At("b", 2, "main"), null);
        store.Record(At("c", 3, "main", aborted: true), null);
        store.Record(At("d", 4, "main"), pullRequest: 17); // a pull request run whose branch name says main
        store.Record(At("e", 5, "feature"), null);
        store.Record(At("f", 9, "main"), null);            // after the cut-off
        store.Record(At("b", 2, "main"), null);            // reported twice: one record
        Assert.Equal(6, store.Count());

        var baseline = store.BranchRuns("main", new DateTimeOffset(2026, 11, 26, 12, 8, 0, TimeSpan.Zero), 10);
        Assert.Equal(["b", "a"], baseline.Select(e => e.RunId));
        Assert.Equal(2600, baseline[0].Summary.Phases[0].Services[1].Metrics.Latency.P95);
        Assert.Equal("main", baseline[0].Branch);
        Assert.Single(store.BranchRuns("main", DateTimeOffset.MaxValue, 1));
    }

    [Fact]
    public void Report_records_the_run_it_reports_on_once()
    {
        var run = RunDirectory.Create(_root, Runs.Mixed().StartedAt, null);
        run.Complete(Runs.Mixed() with { RunId = run.RunId }, []);
        var results = new ResultsConfig();
        ReportSession.Run(_root, null, new GateConfig(), GateFailOn.Never, DateTimeOffset.UtcNow, results);
        var outcome = ReportSession.Run(_root, null, new GateConfig(), GateFailOn.Never, DateTimeOffset.UtcNow, results);
        Assert.Equal(Path.Combine(_root, "history.db"), outcome.HistoryPath);
        using var store = new SqliteHistoryStore(outcome.HistoryPath!);
        Assert.Equal(1, store.Count());
    }
}
