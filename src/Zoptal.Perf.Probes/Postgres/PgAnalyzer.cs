using System.Globalization;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Probes.Postgres;

/// <summary>
/// Turns the snapshots around a load phase into findings, with PgHero's and postgresqltuner's thresholds (see
/// docs/database-analysis.md). Counter-based verdicts carry the age of the statistics; an index is not called unused
/// on statistics younger than a week.
/// </summary>
public static class PgAnalyzer
{
    /// <summary>Statistics younger than this cannot call an index unused.</summary>
    public static readonly TimeSpan UnusedIndexEvidence = TimeSpan.FromDays(7);

    /// <summary>How many statements by total time the report lists.</summary>
    public const int TopQueries = 10;

    /// <summary>How many statements by total time are explained for index candidates (an EXPLAIN without ANALYZE costs milliseconds).</summary>
    public const int ExplainedQueries = 25;

    /// <summary>The statements the load ran: after minus before, by query id, busiest first.</summary>
    public static IReadOnlyList<QueryStat> Delta(PgSnapshot before, PgSnapshot after)
    {
        var earlier = before.Statements.GroupBy(s => s.QueryId).ToDictionary(g => g.Key, g => g.First());
        return [.. after.Statements.Select(s =>
            {
                var b = earlier.GetValueOrDefault(s.QueryId);
                var calls = s.Calls - (b?.Calls ?? 0);
                var total = s.TotalMs - (b?.TotalMs ?? 0);
                var hit = s.BlocksHit - (b?.BlocksHit ?? 0);
                var read = s.BlocksRead - (b?.BlocksRead ?? 0);
                return new QueryStat(s.Query, calls, total, calls > 0 ? total / calls : 0, s.Rows - (b?.Rows ?? 0), hit + read > 0 ? 100.0 * hit / (hit + read) : null);
            })
            .Where(q => q.Calls > 0)
            .OrderByDescending(q => q.TotalMs)];
    }

    /// <summary>Everything the snapshots, the sessions seen during the load and the plans of the busiest statements show.</summary>
    public static DatabaseReport Analyze(string server, PgCapabilities capabilities, DatabaseConfig config, PgSnapshot before, PgSnapshot after,
        IReadOnlyList<ActivitySample> activity, IReadOnlyDictionary<string, string?> plans)
    {
        var findings = new List<DbFinding>();
        var age = after.StatsReset is { } reset ? after.TakenAt - reset : (TimeSpan?)null;
        var ageText = age is { } a ? $"statistics reset {Age(a)} ago" : "statistics never reset";

        if (!capabilities.Statements)
        {
            findings.Add(new DbFinding("pg-stat-statements", Severity.Warning, "pg_stat_statements is not available: no per-query times",
                capabilities.StatementsPreloaded ? "the library is preloaded, but the extension is not created in this database"
                    : "shared_preload_libraries does not list pg_stat_statements",
                capabilities.StatementsPreloaded ? "CREATE EXTENSION pg_stat_statements;"
                    : "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; -- then restart PostgreSQL, and: CREATE EXTENSION pg_stat_statements;"));
        }

        var queries = Delta(before, after);
        foreach (var slow in queries.Where(q => q.MeanMs >= config.SlowQueryMeanTime.TotalMilliseconds && q.Calls >= config.SlowQueryCalls))
        {
            findings.Add(new DbFinding("slow-query", Severity.Warning, $"slow query: {Ms(slow.MeanMs)} mean over {slow.Calls:#,0} calls",
                $"{Ms(slow.TotalMs)} in total during the load; slow from a mean of {Ms(config.SlowQueryMeanTime.TotalMilliseconds)} and {config.SlowQueryCalls} calls",
                Query: slow.Query));
        }

        // Missing indexes, from the plans: a statement the load ran whose plan scans a table sequentially with a filter.
        var suggested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in queries.Take(ExplainedQueries).Concat(queries.Where(q => q.MeanMs >= config.SlowQueryMeanTime.TotalMilliseconds)).Distinct())
        {
            if (plans.GetValueOrDefault(query.Query) is not { } plan)
                continue;
            foreach (var scan in PlanReader.FilteredSeqScans(plan))
            {
                var table = after.Tables.FirstOrDefault(t => t.Name == scan.Table && (scan.Schema is null || t.Schema == scan.Schema));
                if (table is null || Covered(after.Indexes, table, scan.Keys))
                    continue;
                var name = $"idx_{table.Name}_{string.Join("_", scan.Keys.Select(k => System.Text.RegularExpressions.Regex.Replace(k, "[^A-Za-z0-9]+", "_").Trim('_')))}";
                var sql = $"CREATE INDEX CONCURRENTLY {name} ON {table.Schema}.{table.Name} ({string.Join(", ", scan.Keys)});";
                if (!suggested.Add(sql))
                    continue;
                findings.Add(new DbFinding("missing-index", query.MeanMs >= config.SlowQueryMeanTime.TotalMilliseconds ? Severity.Critical : Severity.Warning,
                    $"missing index on {table.Name} ({string.Join(", ", scan.Keys)}): {query.Calls:#,0} calls at {Ms(query.MeanMs)} mean scan the whole table",
                    $"plan: Seq Scan on {table.Name}, Filter: {scan.Filter}; {table.LiveRows:#,0} live rows; {Ms(query.TotalMs)} in total during the load",
                    sql, query.Query));
            }
        }

        // Missing indexes, from the tables (PgHero's rule): large tables read mostly by sequential scans.
        var tablesBefore = before.Tables.ToDictionary(t => (t.Schema, t.Name));
        foreach (var table in after.Tables.Where(t => t.LiveRows >= 10_000))
        {
            var seq = table.SeqScan;
            var idx = table.IdxScan;
            if (seq == 0 || 100.0 * idx / (seq + idx) >= 95 || findings.Any(f => f.Kind == "missing-index" && f.Title.Contains($" on {table.Name} ", StringComparison.Ordinal)))
                continue;
            var during = tablesBefore.TryGetValue((table.Schema, table.Name), out var b) ? seq - b.SeqScan : seq;
            findings.Add(new DbFinding("missing-index", Severity.Warning, $"{table.Name} is read by sequential scans: {100.0 * idx / (seq + idx):0.#} % index scans",
                $"{seq:#,0} sequential scans ({during:#,0} during the load) and {idx:#,0} index scans on {table.LiveRows:#,0} live rows; {ageText}"));
        }

        // Cache hit rates during the load (all time when the load read nothing).
        var tableRate = Rate(after.HeapHit - before.HeapHit, after.HeapRead - before.HeapRead) ?? Rate(after.HeapHit, after.HeapRead);
        var indexRate = Rate(after.IndexHit - before.IndexHit, after.IndexRead - before.IndexRead) ?? Rate(after.IndexHit, after.IndexRead);
        foreach (var (what, rate) in new[] { ("table", tableRate), ("index", indexRate) })
        {
            if (rate is < 99)
            {
                findings.Add(new DbFinding("cache-hit-rate", rate < 95 ? Severity.Critical : Severity.Warning, $"{what} cache hit rate {rate:0.##} % (good from 99 %)",
                    $"blocks found in shared_buffers against blocks read, during the load; {ageText}", "raise shared_buffers (see ./build.sh Optimize) or add the missing indexes"));
            }
        }

        // Sessions seen during the load.
        var peak = activity.Count == 0 ? 0 : activity.Max(s => s.Total);
        var max = activity.Count == 0 ? 0 : activity.Max(s => s.MaxConnections);
        if (max > 0 && peak > 0.7 * max)
        {
            findings.Add(new DbFinding("connections", peak > 0.9 * max ? Severity.Critical : Severity.Warning, $"{peak} of {max} connections in use ({100.0 * peak / max:0} %)",
                "peak of the sessions sampled during the load; postgresqltuner warns above 70 %", "put a pooler (PgBouncer) in front, or lower the services' pool sizes"));
        }

        var idle = activity.Count == 0 ? 0 : activity.Max(s => s.IdleInTransaction);
        if (idle > 0)
            findings.Add(new DbFinding("connections", idle >= 100 ? Severity.Critical : Severity.Info, $"{idle} sessions idle in transaction", "peak during the load; they hold locks and snapshots"));
        foreach (var session in activity.SelectMany(s => s.LongRunning).GroupBy(s => s.Pid).Select(g => g.MaxBy(s => s.Seconds)!))
            findings.Add(new DbFinding("long-running", Severity.Warning, $"query running {session.Seconds:0} s (pid {session.Pid}, {session.State})", "seen during the load; long from 60 s", Query: session.Query));
        foreach (var session in activity.SelectMany(s => s.Blocked).GroupBy(s => s.Pid).Select(g => g.MaxBy(s => s.Seconds)!))
        {
            findings.Add(new DbFinding("blocked-query", Severity.Warning, $"query blocked by pid {string.Join(", ", session.BlockedBy)} (pid {session.Pid}, waiting {session.Seconds:0.#} s)",
                "pg_blocking_pids during the load", Query: session.Query));
        }

        // Indexes.
        foreach (var index in after.Indexes.Where(i => !i.Unique && !i.Primary && i.Scans == 0))
        {
            var enough = age is { } known && known >= UnusedIndexEvidence;
            findings.Add(new DbFinding("unused-index", enough ? Severity.Warning : Severity.Info,
                $"index {index.Name} on {index.Table} has never been scanned" + (enough ? "" : " (statistics too young to call it unused)"),
                $"0 index scans, {index.Bytes / 1024.0:#,0.#} kB; {ageText}; check replicas and other environments before dropping it",
                enough ? $"DROP INDEX CONCURRENTLY {index.Schema}.{index.Name};" : null));
        }

        foreach (var index in after.Indexes.Where(i => i.Plain))
        {
            var covering = after.Indexes.FirstOrDefault(o => o.Name != index.Name && o.Schema == index.Schema && o.Table == index.Table && o.Plain && o.Method == index.Method
                && (o.Columns.StartsWith(index.Columns + " ", StringComparison.Ordinal) || (o.Columns == index.Columns && string.CompareOrdinal(o.Name, index.Name) < 0)));
            if (covering is not null && !index.Unique && !index.Primary)
            {
                findings.Add(new DbFinding("duplicate-index", Severity.Warning, $"index {index.Name} is covered by {covering.Name}",
                    $"{index.Definition}; {covering.Definition}", $"DROP INDEX CONCURRENTLY {index.Schema}.{index.Name};"));
            }
        }

        findings.AddRange(after.Sequences.Select(q => Sequence(q.Schema, q.Name, q.LastValue, q.MaxValue)).OfType<DbFinding>());

        // Maintenance.
        foreach (var table in after.Tables.Where(t => t.LiveRows > 0))
        {
            if (table.LastVacuum is null || after.TakenAt - table.LastVacuum > TimeSpan.FromDays(7))
                findings.Add(new DbFinding("vacuum", Severity.Info, $"{table.Name} {(table.LastVacuum is null ? "has never been vacuumed" : $"was last vacuumed {Age(after.TakenAt - table.LastVacuum.Value)} ago")}", $"{table.LiveRows:#,0} live rows"));
            if (table.LastAnalyze is null || after.TakenAt - table.LastAnalyze > TimeSpan.FromDays(7))
            {
                findings.Add(new DbFinding("analyze", Severity.Info, $"{table.Name} {(table.LastAnalyze is null ? "has never been analyzed" : $"was last analyzed {Age(after.TakenAt - table.LastAnalyze.Value)} ago")}",
                    $"{table.LiveRows:#,0} live rows; the planner's row estimates may be off", $"ANALYZE {table.Schema}.{table.Name};"));
            }
        }

        return new DatabaseReport(server, capabilities.Version, after.StatsReset, capabilities.Statements, [.. queries.Take(TopQueries)], tableRate, indexRate, peak, max,
            [.. findings.OrderByDescending(f => f.Severity)])
        {
            SlowestQueries = [.. queries.Where(q => q.Calls >= 2).OrderByDescending(q => q.MeanMs).Take(TopQueries)],
        };
    }

    /// <summary>A sequence finding from its last and maximum values (above 90 % of the maximum).</summary>
    public static DbFinding? Sequence(string schema, string name, long lastValue, long maxValue) =>
        maxValue > 0 && (double)lastValue / maxValue > 0.9
            ? new DbFinding("sequence", (double)lastValue / maxValue > 0.99 ? Severity.Critical : Severity.Warning,
                $"sequence {name} is {100.0 * lastValue / maxValue:0.#} % used", $"last value {lastValue:#,0} of {maxValue:#,0}",
                $"ALTER SEQUENCE {schema}.{name} AS bigint; -- and widen the column it feeds")
            : null;

    // Whether an index on the table already starts with the keys (the plan may predate it, or the planner ignored it).
    private static bool Covered(IReadOnlyList<IndexInfo> indexes, TableCounters table, IReadOnlyList<string> keys) =>
        indexes.Any(i => i.Schema == table.Schema && i.Table == table.Name
            && i.Definition.Contains($"({string.Join(", ", keys)}", StringComparison.OrdinalIgnoreCase));

    private static double? Rate(long hit, long read) => hit + read > 0 ? 100.0 * hit / (hit + read) : null;

    private static string Ms(double ms) => ms.ToString(ms >= 100 ? "#,0" : "0.##", CultureInfo.InvariantCulture) + " ms";

    private static string Age(TimeSpan age) => age.TotalDays >= 2 ? $"{age.TotalDays:0} days" : age.TotalHours >= 2 ? $"{age.TotalHours:0} hours" : $"{Math.Max(1, age.TotalMinutes):0} minutes";
}
