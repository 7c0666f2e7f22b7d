using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Missing indexes, from the tables (PgHero's rule): tables of 10,000 rows or more read by index scans less than 95 % of the time, unless a plan already named the index.</summary>
public sealed class ScanHeavyTables : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        var tablesBefore = e.Before.Tables.ToDictionary(t => (t.Schema, t.Name));
        foreach (var table in e.After.Tables.Where(t => t.LiveRows >= 10_000))
        {
            var seq = table.SeqScan;
            var idx = table.IdxScan;
            if (seq == 0 || 100.0 * idx / (seq + idx) >= 95 || earlier.Any(f => f.Kind == PlannedMissingIndexes.Kind && f.Title.Contains($" on {table.Name} ", StringComparison.Ordinal)))
                continue;
            var during = tablesBefore.TryGetValue((table.Schema, table.Name), out var b) ? seq - b.SeqScan : seq;
            yield return new DbFinding(PlannedMissingIndexes.Kind, Severity.Warning, $"{table.Name} is read by sequential scans: {100.0 * idx / (seq + idx):0.#} % index scans",
                $"{seq:#,0} sequential scans ({during:#,0} during the load) and {idx:#,0} index scans on {table.LiveRows:#,0} live rows; {e.StatisticsAge}");
        }
    }
}
