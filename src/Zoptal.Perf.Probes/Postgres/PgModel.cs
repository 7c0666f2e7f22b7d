using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres;

/// <summary>One statement's counters (pg_stat_statements), times in ms.</summary>
public sealed record StatementCounters(long QueryId, string Query, long Calls, double TotalMs, long Rows, long BlocksHit, long BlocksRead);

/// <summary>One table's counters (pg_stat_user_tables).</summary>
public sealed record TableCounters(string Schema, string Name, long SeqScan, long IdxScan, long LiveRows, DateTimeOffset? LastVacuum, DateTimeOffset? LastAnalyze);

/// <summary>One index (pg_stat_user_indexes with pg_index): its scans and what it covers.</summary>
public sealed record IndexInfo(string Schema, string Table, string Name, long Scans, bool Unique, bool Primary, string Columns, bool Plain, string Method, long Bytes, string Definition);

/// <summary>The counters at one moment: taken before and after the load phase, and subtracted.</summary>
public sealed record PgSnapshot(
    DateTimeOffset TakenAt,
    IReadOnlyList<StatementCounters> Statements,
    IReadOnlyList<TableCounters> Tables,
    IReadOnlyList<IndexInfo> Indexes,
    long HeapHit,
    long HeapRead,
    long IndexHit,
    long IndexRead,
    DateTimeOffset? StatsReset)
{
    /// <summary>Sequences with their last and maximum values (pg_sequences; those the role may read).</summary>
    public IReadOnlyList<(string Schema, string Name, long LastValue, long MaxValue)> Sequences { get; init; } = [];
}

/// <summary>Sessions at one moment (pg_stat_activity, pg_locks).</summary>
public sealed record ActivitySample(
    DateTimeOffset TakenAt,
    int Total,
    int Active,
    int IdleInTransaction,
    int MaxConnections,
    IReadOnlyList<SessionInfo> LongRunning,
    IReadOnlyList<SessionInfo> Blocked);

/// <summary>A session worth naming: its pid, how long its query has run, what blocks it, and the query.</summary>
public sealed record SessionInfo(int Pid, string State, double Seconds, IReadOnlyList<int> BlockedBy, string Query);

/// <summary>A thing the analysis found, with the evidence that shows it and, where there is one, the change that fixes it.</summary>
/// <param name="Kind">A stable key: missing-index, slow-query, cache-hit-rate, connections, long-running, blocked-query,
/// unused-index, duplicate-index, vacuum, analyze, sequence, pg-stat-statements, unreachable.</param>
/// <param name="Severity">How bad it is.</param>
/// <param name="Title">One line for the report.</param>
/// <param name="Evidence">The numbers behind it (and the statistics' age where counters decide).</param>
/// <param name="Suggestion">SQL or a setting to change; null when there is nothing to run.</param>
/// <param name="Query">The statement it is about, if any.</param>
public sealed record DbFinding(string Kind, Severity Severity, string Title, string Evidence, string? Suggestion = null, string? Query = null);

/// <summary>A statement's share of the load phase: its counters after minus before.</summary>
public sealed record QueryStat(string Query, long Calls, double TotalMs, double MeanMs, long Rows, double? CacheHitPercent);

/// <summary>What the database analysis tells a report.</summary>
public sealed record DatabaseReport(
    string Server,
    string Version,
    DateTimeOffset? StatsReset,
    bool StatementsAvailable,
    IReadOnlyList<QueryStat> TopQueries,
    double? TableCacheHitPercent,
    double? IndexCacheHitPercent,
    int PeakConnections,
    int MaxConnections,
    IReadOnlyList<DbFinding> Findings)
{
    /// <summary>The statements with the highest mean time during the load (at least two calls), slowest first.</summary>
    public IReadOnlyList<QueryStat> SlowestQueries { get; init; } = [];
}
