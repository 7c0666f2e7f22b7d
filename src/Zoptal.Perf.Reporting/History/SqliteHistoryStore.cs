using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zoptal.Perf.Runs.Results;

namespace Zoptal.Perf.Reporting.History;

/// <summary>A finished run as the history keeps it: who and when, and the whole summary for statistics.</summary>
public sealed record HistoryEntry(string RunId, DateTimeOffset StartedAt, string? Commit, string? Branch, int? PullRequest, bool Aborted, RunSummary Summary);

/// <summary>
/// Every reported run, in a SQLite file in the results folder (the default store). A run is recorded once:
/// reporting it again replaces its record. Baselines are read from the base branch's runs, never from pull requests.
/// </summary>
public sealed class SqliteHistoryStore : IDisposable
{
    private readonly SqliteConnection _connection;

    public SqliteHistoryStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = """
            CREATE TABLE IF NOT EXISTS runs (
                run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, commit_sha TEXT, branch TEXT, pull_request INTEGER,
                aborted INTEGER NOT NULL, summary TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS runs_branch_started ON runs (branch, started_at);
            """;
        create.ExecuteNonQuery();
    }

    /// <summary>Records a run (replacing an earlier record of the same run).</summary>
    public void Record(RunSummary run, int? pullRequest)
    {
        using var insert = _connection.CreateCommand();
        insert.CommandText = "INSERT OR REPLACE INTO runs VALUES ($id, $started, $commit, $branch, $pr, $aborted, $summary)";
        insert.Parameters.AddWithValue("$id", run.RunId);
        insert.Parameters.AddWithValue("$started", run.StartedAt.UtcDateTime.ToString("O"));
        insert.Parameters.AddWithValue("$commit", (object?)run.Git.Commit ?? DBNull.Value);
        insert.Parameters.AddWithValue("$branch", (object?)run.Git.Branch ?? DBNull.Value);
        insert.Parameters.AddWithValue("$pr", (object?)pullRequest ?? DBNull.Value);
        insert.Parameters.AddWithValue("$aborted", run.Aborted ? 1 : 0);
        insert.Parameters.AddWithValue("$summary", JsonSerializer.Serialize(run, RunDirectory.Json));
        insert.ExecuteNonQuery();
    }

    /// <summary>
    /// The newest complete runs of a branch that are not pull request runs, started before <paramref name="before"/>,
    /// newest first: the baseline candidates.
    /// </summary>
    public IReadOnlyList<HistoryEntry> BranchRuns(string branch, DateTimeOffset before, int count)
    {
        using var select = _connection.CreateCommand();
        select.CommandText = """
            SELECT run_id, started_at, commit_sha, branch, pull_request, aborted, summary FROM runs
            WHERE branch = $branch AND pull_request IS NULL AND aborted = 0 AND started_at < $before
            ORDER BY started_at DESC LIMIT $count
            """;
        select.Parameters.AddWithValue("$branch", branch);
        select.Parameters.AddWithValue("$before", before.UtcDateTime.ToString("O"));
        select.Parameters.AddWithValue("$count", count);
        using var reader = select.ExecuteReader();
        var entries = new List<HistoryEntry>();
        while (reader.Read())
        {
            entries.Add(new HistoryEntry(
                reader.GetString(0), DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetInt32(5) == 1,
                JsonSerializer.Deserialize<RunSummary>(reader.GetString(6), RunDirectory.Json)!));
        }

        return entries;
    }

    /// <summary>How many runs the store holds.</summary>
    public long Count()
    {
        using var count = _connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM runs";
        return (long)count.ExecuteScalar()!;
    }

    public void Dispose() => _connection.Dispose();
}
