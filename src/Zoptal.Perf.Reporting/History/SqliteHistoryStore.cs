using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.History;

/// <summary>Every reported run, in a SQLite file in the results folder (the default store).</summary>
public sealed class SqliteHistoryStore : IHistoryStore
{
    private const string Columns = "run_id, started_at, commit_sha, branch, pull_request, aborted, summary";
    private readonly SqliteConnection _connection;

    /// <summary>
    /// Opens (or creates) the store. A path that is a folder, a file that is not a SQLite database, or one that cannot
    /// be written is a <see cref="RunFailedException"/> naming the file and what to do, not SQLite's error number.
    /// </summary>
    public SqliteHistoryStore(string path)
    {
        Description = path;
        if (Directory.Exists(path))
            throw new RunFailedException($"The history store {path} is a folder, not a SQLite file. Remove or rename it, or name another file with results.history.path.");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            CreateSchema();
        }
        catch (SqliteException e)
        {
            _connection?.Dispose();
            var fix = e.SqliteErrorCode switch
            {
                26 => "it is not a SQLite database (damaged, or another kind of file): move it aside and Report starts a new history",
                11 => "the database is damaged: move it aside and Report starts a new history",
                8 or 14 => "it cannot be opened for writing: check the folder's permissions and free space",
                _ => "move it aside, or name another file with results.history.path",
            };
            throw new RunFailedException($"The history store {path} cannot be used: {e.Message.TrimEnd('.')}; {fix}.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFailedException($"The history store {path} cannot be used: {e.Message.TrimEnd('.')}; check the folder's permissions and free space, or name another file with results.history.path.", e);
        }
    }

    private void CreateSchema()
    {
        Execute("""
            CREATE TABLE IF NOT EXISTS runs (
                run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, commit_sha TEXT, branch TEXT, pull_request INTEGER,
                aborted INTEGER NOT NULL, summary TEXT NOT NULL, series TEXT);
            CREATE INDEX IF NOT EXISTS runs_branch_started ON runs (branch, started_at);
            """);
        // Stores made before the series were kept gain the column; their runs simply have none.
        using var columns = _connection.CreateCommand();
        columns.CommandText = "SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'series'";
        if ((long)columns.ExecuteScalar()! == 0)
            Execute("ALTER TABLE runs ADD COLUMN series TEXT");
    }

    public string Description { get; }

    public void Record(RunSummary run, RunSeries series, int? pullRequest, SecretMasker? masker = null)
    {
        using var insert = _connection.CreateCommand();
        insert.CommandText = $"INSERT OR REPLACE INTO runs ({Columns}, series) VALUES ($id, $started, $commit, $branch, $pr, $aborted, $summary, $series)";
        insert.Parameters.AddWithValue("$id", run.RunId);
        insert.Parameters.AddWithValue("$started", run.StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        insert.Parameters.AddWithValue("$commit", (object?)run.Git.Commit ?? DBNull.Value);
        insert.Parameters.AddWithValue("$branch", (object?)run.Git.Branch ?? DBNull.Value);
        insert.Parameters.AddWithValue("$pr", (object?)pullRequest ?? DBNull.Value);
        insert.Parameters.AddWithValue("$aborted", run.Aborted ? 1 : 0);
        insert.Parameters.AddWithValue("$summary", HistoryDocuments.Summary(run, masker));
        insert.Parameters.AddWithValue("$series", HistoryDocuments.Series(series, masker));
        insert.ExecuteNonQuery();
    }

    public IReadOnlyList<HistoryEntry> BranchRuns(string branch, DateTimeOffset before, int count, bool withSeries)
    {
        using var select = _connection.CreateCommand();
        select.CommandText = $"""
            SELECT {Columns}, {(withSeries ? "series" : "NULL")} FROM runs
            WHERE branch = $branch AND pull_request IS NULL AND aborted = 0 AND started_at < $before
            ORDER BY started_at DESC LIMIT $count
            """;
        select.Parameters.AddWithValue("$branch", branch);
        select.Parameters.AddWithValue("$before", before.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        select.Parameters.AddWithValue("$count", count);
        return ReadAll(select);
    }

    public HistoryEntry? Find(string runId)
    {
        using var select = _connection.CreateCommand();
        select.CommandText = $"SELECT {Columns}, series FROM runs WHERE run_id = $id";
        select.Parameters.AddWithValue("$id", runId);
        return ReadAll(select).FirstOrDefault();
    }

    public long Count()
    {
        using var count = _connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM runs";
        return (long)count.ExecuteScalar()!;
    }

    private static List<HistoryEntry> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return HistoryRows.ReadAll(reader, r => DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture), r => r.GetInt32(5) == 1);
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();
}
