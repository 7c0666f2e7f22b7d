namespace Zoptal.Perf.Probes.Postgres;

/// <summary>
/// What a server offers, found by probing its catalogs rather than trusting its version: pg_stat_statements' time
/// columns were renamed in 13 (<c>total_time</c> → <c>total_exec_time</c>, plus <c>total_plan_time</c>) and its block
/// timing in 17; <c>pg_stat_statements_info</c> (with its own <c>stats_reset</c>) came in 14, <c>toplevel</c> too;
/// <c>pg_stat_checkpointer</c> took the checkpoint counters from <c>pg_stat_bgwriter</c> in 17;
/// <c>EXPLAIN (GENERIC_PLAN)</c> came in 16.
/// </summary>
public sealed record PgCapabilities(
    int VersionNum,
    string Version,
    bool StatementsInstalled,
    bool StatementsPreloaded,
    string? TotalTimeExpression,
    bool HasToplevel,
    bool HasStatementsInfo,
    bool HasCheckpointer,
    bool HasLastScanColumns)
{
    /// <summary>Whether pg_stat_statements can be read (installed in this database and preloaded).</summary>
    public bool Statements => StatementsInstalled && StatementsPreloaded && TotalTimeExpression is not null;

    /// <summary><c>EXPLAIN (GENERIC_PLAN)</c> explains a query with <c>$1</c> parameters directly (16 and later).</summary>
    public bool GenericPlanExplain => VersionNum >= 160000;

    /// <summary>
    /// The expression for a statement's total time in ms from the view's columns: planning plus execution where both
    /// exist (as PgHero counts it), <c>total_time</c> before 13; null when the view has neither.
    /// </summary>
    public static string? TotalTime(IReadOnlySet<string> statementColumns) =>
        statementColumns.Contains("total_exec_time")
            ? statementColumns.Contains("total_plan_time") ? "(total_plan_time + total_exec_time)" : "total_exec_time"
            : statementColumns.Contains("total_time") ? "total_time" : null;

    /// <summary>Capabilities from what the catalogs list (the pure part, tested against the column sets of 12 to 17).</summary>
    public static PgCapabilities From(int versionNum, string version, IReadOnlySet<string> relations, IReadOnlySet<string> statementColumns,
        IReadOnlySet<string> userTableColumns, bool preloaded) => new(
        versionNum,
        version,
        relations.Contains("pg_stat_statements"),
        preloaded,
        TotalTime(statementColumns),
        statementColumns.Contains("toplevel"),
        relations.Contains("pg_stat_statements_info"),
        relations.Contains("pg_stat_checkpointer"),
        userTableColumns.Contains("last_seq_scan"));
}
