using System.Text.Json;
using Npgsql;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.History;

/// <summary>
/// Every reported run, in PostgreSQL (<c>results.history.store: postgres</c>), for teams whose CI machines keep no
/// files between jobs. The table is created on first use; the password comes from the environment (<c>PGPASSWORD</c>).
/// </summary>
public sealed class PostgresHistoryStore : IHistoryStore
{
    private const string Columns = "run_id, started_at, commit_sha, branch, pull_request, aborted, summary::text";
    private readonly NpgsqlConnection _connection;

    private PostgresHistoryStore(NpgsqlConnection connection, string description)
    {
        _connection = connection;
        Description = description;
    }

    /// <summary>Connects and creates the table when missing; a failure names the server, never the password.</summary>
    public static PostgresHistoryStore Open(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var description = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            using var create = new NpgsqlCommand("""
                CREATE TABLE IF NOT EXISTS zoptal_perf_runs (
                    run_id text PRIMARY KEY, started_at timestamptz NOT NULL, commit_sha text, branch text, pull_request integer,
                    aborted boolean NOT NULL, summary jsonb NOT NULL, series text);
                CREATE INDEX IF NOT EXISTS zoptal_perf_runs_branch_started ON zoptal_perf_runs (branch, started_at);
                """, connection);
            create.ExecuteNonQuery();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            connection.Dispose();
            throw new RunFailedException($"The history store at {description} cannot be used: {e.Message}");
        }

        return new PostgresHistoryStore(connection, description);
    }

    public string Description { get; }

    public void Record(RunSummary run, RunSeries series, int? pullRequest, SecretMasker? masker = null)
    {
        using var insert = new NpgsqlCommand("""
            INSERT INTO zoptal_perf_runs VALUES (@id, @started, @commit, @branch, @pr, @aborted, @summary::jsonb, @series)
            ON CONFLICT (run_id) DO UPDATE SET started_at = EXCLUDED.started_at, commit_sha = EXCLUDED.commit_sha, branch = EXCLUDED.branch,
                pull_request = EXCLUDED.pull_request, aborted = EXCLUDED.aborted, summary = EXCLUDED.summary, series = EXCLUDED.series
            """, _connection);
        insert.Parameters.AddWithValue("id", run.RunId);
        insert.Parameters.AddWithValue("started", run.StartedAt.ToUniversalTime());
        insert.Parameters.AddWithValue("commit", (object?)run.Git.Commit ?? DBNull.Value);
        insert.Parameters.AddWithValue("branch", (object?)run.Git.Branch ?? DBNull.Value);
        insert.Parameters.AddWithValue("pr", (object?)pullRequest ?? DBNull.Value);
        insert.Parameters.AddWithValue("aborted", run.Aborted);
        insert.Parameters.AddWithValue("summary", HistoryDocuments.Summary(run, masker));
        insert.Parameters.AddWithValue("series", HistoryDocuments.Series(series, masker));
        insert.ExecuteNonQuery();
    }

    public IReadOnlyList<HistoryEntry> BranchRuns(string branch, DateTimeOffset before, int count, bool withSeries)
    {
        using var select = new NpgsqlCommand($"""
            SELECT {Columns}, {(withSeries ? "series" : "NULL")} FROM zoptal_perf_runs
            WHERE branch = @branch AND pull_request IS NULL AND NOT aborted AND started_at < @before
            ORDER BY started_at DESC LIMIT @count
            """, _connection);
        select.Parameters.AddWithValue("branch", branch);
        select.Parameters.AddWithValue("before", before.ToUniversalTime());
        select.Parameters.AddWithValue("count", count);
        return ReadAll(select);
    }

    public HistoryEntry? Find(string runId)
    {
        using var select = new NpgsqlCommand($"SELECT {Columns}, series FROM zoptal_perf_runs WHERE run_id = @id", _connection);
        select.Parameters.AddWithValue("id", runId);
        return ReadAll(select).FirstOrDefault();
    }

    public long Count()
    {
        using var count = new NpgsqlCommand("SELECT count(*) FROM zoptal_perf_runs", _connection);
        return (long)count.ExecuteScalar()!;
    }

    private static List<HistoryEntry> ReadAll(NpgsqlCommand command)
    {
        using var reader = command.ExecuteReader();
        return HistoryRows.ReadAll(reader, r => new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero), r => r.GetBoolean(5));
    }

    public void Dispose() => _connection.Dispose();
}
