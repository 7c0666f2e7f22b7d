using System.Text.RegularExpressions;
using Npgsql;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Probes.Postgres;

/// <summary>
/// Reads a PostgreSQL server's statistics, read-only: every session runs with <c>default_transaction_read_only</c>
/// and the config's statement timeout, so the analysis can neither change data nor hang a run.
/// </summary>
public sealed partial class PgProbe : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    private PgProbe(NpgsqlDataSource source, string server, string host)
    {
        _source = source;
        Server = server;
        Host = host;
    }

    /// <summary><c>host:port/database</c>, for messages (never the password).</summary>
    public string Server { get; }

    /// <summary>The host the connection string names (a name, an address, or a socket folder).</summary>
    public string Host { get; }

    /// <summary>A probe for the config's database (the password from the environment, as the config loaded it).</summary>
    public static PgProbe Create(DatabaseConfig database)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            ApplicationName = "zoptal-perf analysis",
            Options = $"-c default_transaction_read_only=on -c statement_timeout={(int)database.StatementTimeout.TotalMilliseconds}",
            Timeout = 5,
        };
        if (database.Password is { } password)
            builder.Password = password;
        return new PgProbe(NpgsqlDataSource.Create(builder), $"{builder.Host}:{builder.Port}/{builder.Database}", builder.Host ?? "");
    }

    /// <summary>What this server offers, found in its catalogs.</summary>
    public async Task<PgCapabilities> CapabilitiesAsync(CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        var versionNum = (int)await Scalar<int>(connection, "SELECT current_setting('server_version_num')::int", cancellation).ConfigureAwait(false);
        var version = await Scalar<string>(connection, "SELECT current_setting('server_version')", cancellation).ConfigureAwait(false) ?? "";
        var relations = await Set(connection, """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname IN ('pg_stat_statements', 'pg_stat_statements_info', 'pg_stat_checkpointer') AND pg_catalog.pg_table_is_visible(c.oid)
            """, cancellation).ConfigureAwait(false);
        var statementColumns = await Set(connection, "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass('pg_stat_statements') AND attnum > 0 AND NOT attisdropped", cancellation).ConfigureAwait(false);
        var tableColumns = await Set(connection, "SELECT attname FROM pg_attribute WHERE attrelid = 'pg_catalog.pg_stat_user_tables'::regclass AND attnum > 0", cancellation).ConfigureAwait(false);
        var preload = await Scalar<string>(connection, "SELECT current_setting('shared_preload_libraries')", cancellation).ConfigureAwait(false) ?? "";
        return PgCapabilities.From(versionNum, version, relations, statementColumns, tableColumns,
            preload.Split(',').Any(l => l.Trim().Trim('"') == "pg_stat_statements"));
    }

    /// <summary>The process id of the server process serving this connection (as the server's own process namespace numbers it).</summary>
    public async Task<int> BackendPidAsync(CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        return (int)await Scalar<int>(connection, "SELECT pg_backend_pid()", cancellation).ConfigureAwait(false);
    }

    /// <summary>The counters now.</summary>
    public async Task<PgSnapshot> SnapshotAsync(PgCapabilities capabilities, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        var statements = new List<StatementCounters>();
        if (capabilities.Statements)
        {
            await using var command = new NpgsqlCommand($"""
                SELECT queryid, query, calls, {capabilities.TotalTimeExpression}, rows, shared_blks_hit, shared_blks_read FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL{(capabilities.HasToplevel ? " AND toplevel" : "")}
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
                statements.Add(new StatementCounters(reader.GetInt64(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
        }

        var tables = new List<TableCounters>();
        await using (var command = new NpgsqlCommand("""
            SELECT schemaname, relname, coalesce(seq_scan, 0), coalesce(idx_scan, 0), coalesce(n_live_tup, 0),
                   greatest(last_vacuum, last_autovacuum), greatest(last_analyze, last_autoanalyze)
            FROM pg_stat_user_tables
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                tables.Add(new TableCounters(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
            }
        }

        var indexes = new List<IndexInfo>();
        await using (var command = new NpgsqlCommand("""
            SELECT s.schemaname, s.relname, s.indexrelname, coalesce(s.idx_scan, 0), i.indisunique, i.indisprimary, i.indkey::text,
                   i.indexprs IS NULL AND i.indpred IS NULL, am.amname, pg_relation_size(i.indexrelid), pg_get_indexdef(i.indexrelid)
            FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
            JOIN pg_class c ON c.oid = s.indexrelid JOIN pg_am am ON am.oid = c.relam
            WHERE i.indisvalid
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                indexes.Add(new IndexInfo(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetBoolean(4), reader.GetBoolean(5),
                    reader.GetString(6), reader.GetBoolean(7), reader.GetString(8), reader.GetInt64(9), reader.GetString(10)));
            }
        }

        long heapHit = 0, heapRead = 0, idxHit = 0, idxRead = 0;
        await using (var command = new NpgsqlCommand("""
            SELECT coalesce(sum(heap_blks_hit), 0)::bigint, coalesce(sum(heap_blks_read), 0)::bigint, coalesce(sum(idx_blks_hit), 0)::bigint, coalesce(sum(idx_blks_read), 0)::bigint
            FROM pg_statio_user_tables
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellation).ConfigureAwait(false);
            (heapHit, heapRead, idxHit, idxRead) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }

        DateTimeOffset? statsReset = null;
        await using (var command = new NpgsqlCommand("SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()", connection))
        {
            if (await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false) is DateTime reset)
                statsReset = new DateTimeOffset(reset.ToUniversalTime(), TimeSpan.Zero);
        }

        var sequences = new List<(string, string, long, long)>();
        await using (var command = new NpgsqlCommand("SELECT schemaname, sequencename, last_value, max_value FROM pg_sequences WHERE last_value IS NOT NULL", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
                sequences.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return new PgSnapshot(DateTimeOffset.UtcNow, statements, tables, indexes, heapHit, heapRead, idxHit, idxRead, statsReset) { Sequences = sequences };
    }

    /// <summary>Sessions now: counts, queries running longer than <paramref name="longRunning"/>, and blocked queries with their blockers.</summary>
    public async Task<ActivitySample> ActivityAsync(TimeSpan longRunning, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            SELECT pid, coalesce(state, ''), coalesce(extract(epoch FROM now() - query_start), 0)::float8, pg_blocking_pids(pid), coalesce(query, ''),
                   current_setting('max_connections')::int
            FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        int total = 0, active = 0, idleInTransaction = 0, max = 0;
        var longRunningSessions = new List<SessionInfo>();
        var blocked = new List<SessionInfo>();
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            total++;
            var session = new SessionInfo(reader.GetInt32(0), reader.GetString(1), reader.GetDouble(2), reader.GetFieldValue<int[]>(3), reader.GetString(4));
            max = reader.GetInt32(5);
            if (session.State == "active")
                active++;
            if (session.State.StartsWith("idle in transaction", StringComparison.Ordinal))
                idleInTransaction++;
            if (session.State != "idle" && session.Seconds > longRunning.TotalSeconds)
                longRunningSessions.Add(session);
            if (session.BlockedBy.Count > 0)
                blocked.Add(session);
        }

        if (max == 0)
            max = (int)await Scalar<int>(connection, "SELECT current_setting('max_connections')::int", cancellation).ConfigureAwait(false);
        return new ActivitySample(DateTimeOffset.UtcNow, total, active, idleInTransaction, max, longRunningSessions, blocked);
    }

    /// <summary>Settings as pg_settings has them: the value in the setting's base unit, and that unit (<c>8kB</c>, <c>kB</c>, <c>MB</c>, or null).</summary>
    public async Task<IReadOnlyDictionary<string, (string Value, string? Unit)>> SettingsAsync(IEnumerable<string> names, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(@names)", connection);
        command.Parameters.AddWithValue("names", names.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        var settings = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            settings[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        return settings;
    }

    /// <summary>
    /// The plan (JSON) of a normalised statement (<c>$1</c> parameters), without running it: <c>EXPLAIN (GENERIC_PLAN)</c>
    /// on 16 and later, before that a prepared statement explained with a forced generic plan. Null for statements
    /// that cannot be explained (utility statements, syntax the server refuses).
    /// </summary>
    public async Task<string?> ExplainAsync(PgCapabilities capabilities, string query, CancellationToken cancellation = default)
    {
        if (!Explainable().IsMatch(query))
            return null;
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (capabilities.GenericPlanExplain)
                return await Scalar<string>(connection, $"EXPLAIN (GENERIC_PLAN, FORMAT JSON) {query}", cancellation).ConfigureAwait(false);
            var parameters = Parameters().Matches(query).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
            await Execute(connection, "SET plan_cache_mode = force_generic_plan", cancellation).ConfigureAwait(false);
            await Execute(connection, $"PREPARE zoptal_explain AS {query}", cancellation).ConfigureAwait(false);
            var arguments = parameters == 0 ? "" : $"({string.Join(", ", Enumerable.Repeat("NULL", parameters))})";
            return await Scalar<string>(connection, $"EXPLAIN (FORMAT JSON) EXECUTE zoptal_explain{arguments}", cancellation).ConfigureAwait(false);
        }
        catch (PostgresException)
        {
            return null;
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellation)
    {
        try
        {
            return await _source.OpenConnectionAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new RunFailedException($"PostgreSQL at {Server} cannot be reached for the analysis: {e.Message}");
        }
    }

    private static async Task<T?> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false) is T value ? value : default;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }

    private static async Task<HashSet<string>> Set(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            set.Add(reader.GetString(0));
        return set;
    }

    [GeneratedRegex(@"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Explainable();

    [GeneratedRegex(@"\$(\d+)")]
    private static partial Regex Parameters();

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
