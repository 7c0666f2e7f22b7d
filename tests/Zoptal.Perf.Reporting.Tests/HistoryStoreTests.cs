using Npgsql;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Results;
using Zoptal.Perf.Testing;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>The same contract on both stores: SQLite in a temporary folder and a real PostgreSQL cluster.</summary>
public sealed class HistoryStoreTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>, IDisposable
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

    private IHistoryStore Open(string kind)
    {
        if (kind == "sqlite")
            return new SqliteHistoryStore(Path.Combine(_root, "history.db"));
        var database = "history_" + Guid.NewGuid().ToString("N")[..12];
        using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            create.ExecuteNonQuery();
        }

        return PostgresHistoryStore.Open(new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void Baseline_candidates_are_the_branchs_complete_runs_before_a_time_newest_first_never_pull_requests(string kind)
    {
        using var store = Open(kind);
        var series = RunSeries.FromJson("""{"load/auth": [[1, 20, 0, 40, 150, 220], [2, 21, 1, 41, 151, 221]]}""");
        store.Record(At("a", 1, "main"), series, null);
        store.Record(At("b", 2, "main"), series, null);
        store.Record(At("c", 3, "main", aborted: true), series, null);
        store.Record(At("d", 4, "main"), series, pullRequest: 17); // a pull request run whose branch name says main
        store.Record(At("e", 5, "feature"), series, null);
        store.Record(At("f", 9, "main"), series, null);            // after the cut-off
        store.Record(At("b", 2, "main"), series, null);            // reported twice: one record
        Assert.Equal(6, store.Count());

        var baseline = store.BranchRuns("main", new DateTimeOffset(2026, 11, 26, 12, 8, 0, TimeSpan.Zero), 10, withSeries: true);
        Assert.Equal(["b", "a"], baseline.Select(e => e.RunId));
        Assert.Equal(2600, baseline[0].Summary.Phases[0].Services[1].Metrics.Latency.P95);
        Assert.Equal("main", baseline[0].Branch);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 2, 0, TimeSpan.Zero), baseline[0].StartedAt);
        Assert.Equal([150.0, 151.0], baseline[0].Series.Of("load", "auth").Select(p => p.P95));
        Assert.Empty(store.BranchRuns("main", DateTimeOffset.MaxValue, 1, withSeries: false)[0].Series.All);
        Assert.Equal(17, store.Find("d")!.PullRequest);
        Assert.Equal(2, store.Find("d")!.Series.Of("load", "auth").Count);
        Assert.Null(store.Find("zzz"));
    }

    [Fact]
    public void A_postgres_store_that_cannot_be_reached_names_the_server_and_never_the_password()
    {
        var error = Assert.Throws<Zoptal.Perf.Core.RunFailedException>(() =>
            PostgresHistoryStore.Open("Host=127.0.0.1;Port=1;Database=perf;Username=ci;Password=s3cr3t-value;Timeout=2"));
        Assert.Contains("postgresql://127.0.0.1:1/perf", error.Message);
        Assert.DoesNotContain("s3cr3t-value", error.Message);
    }

    [Fact]
    public void Report_records_the_run_with_its_series_once()
    {
        var summary = Runs.Mixed();
        var id = Runs.Write(_root, summary, Runs.Series(summary, 12));
        var request = new ReportRequest(_root, new GateConfig(), DateTimeOffset.UtcNow) { FailOn = GateFailOn.Never, Results = new ResultsConfig() };
        ReportSession.Run(request);
        var outcome = ReportSession.Run(request);
        Assert.Equal(Path.Combine(_root, "history.db"), outcome.HistoryDescription);
        using var store = new SqliteHistoryStore(outcome.HistoryDescription!);
        Assert.Equal(1, store.Count());
        Assert.Equal(12, store.Find(id)!.Series.Of("load", "project", "crud").Count);
    }
}
