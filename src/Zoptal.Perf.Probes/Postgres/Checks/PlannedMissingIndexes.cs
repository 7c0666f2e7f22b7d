using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Missing indexes, from the plans: a statement the load ran (the busiest, and every slow one) whose plan scans a table sequentially with a filter no index covers.</summary>
public sealed class PlannedMissingIndexes : IDatabaseCheck
{
    /// <summary>The finding's kind, shared with <see cref="ScanHeavyTables"/>.</summary>
    public const string Kind = "missing-index";

    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        var suggested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in e.Queries.Take(PgAnalyzer.ExplainedQueries).Concat(e.Queries.Where(e.IsSlow)).Distinct())
        {
            if (e.Plans.GetValueOrDefault(query.Query) is not { } plan)
                continue;
            foreach (var scan in PlanReader.FilteredSeqScans(plan))
            {
                var table = e.After.Tables.FirstOrDefault(t => t.Name == scan.Table && (scan.Schema is null || t.Schema == scan.Schema));
                if (table is null || Covered(e.After.Indexes, table, scan.Keys))
                    continue;
                var name = $"idx_{table.Name}_{string.Join("_", scan.Keys.Select(k => System.Text.RegularExpressions.Regex.Replace(k, "[^A-Za-z0-9]+", "_").Trim('_')))}";
                var sql = $"CREATE INDEX CONCURRENTLY {name} ON {table.Schema}.{table.Name} ({string.Join(", ", scan.Keys)});";
                if (!suggested.Add(sql))
                    continue;
                yield return new DbFinding(Kind, e.IsSlow(query) ? Severity.Critical : Severity.Warning,
                    $"missing index on {table.Name} ({string.Join(", ", scan.Keys)}): {query.Calls:#,0} calls at {PgText.Ms(query.MeanMs)} mean scan the whole table",
                    $"plan: Seq Scan on {table.Name}, Filter: {scan.Filter}; {table.LiveRows:#,0} live rows; {PgText.Ms(query.TotalMs)} in total during the load",
                    sql, query.Query);
            }
        }
    }

    // Whether an index on the table already starts with the keys (the plan may predate it, or the planner ignored it).
    private static bool Covered(IReadOnlyList<IndexInfo> indexes, TableCounters table, IReadOnlyList<string> keys) =>
        indexes.Any(i => i.Schema == table.Schema && i.Table == table.Name
            && i.Definition.Contains($"({string.Join(", ", keys)}", StringComparison.OrdinalIgnoreCase));
}
