using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Indexes never scanned (not unique, not primary); called unused, with a DROP, only on statistics a week old or older.</summary>
public sealed class UnusedIndexes : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var index in e.After.Indexes.Where(i => !i.Unique && !i.Primary && i.Scans == 0))
        {
            var enough = e.StatisticsAgeSpan is { } known && known >= PgAnalyzer.UnusedIndexEvidence;
            yield return new DbFinding("unused-index", enough ? Severity.Warning : Severity.Info,
                $"index {index.Name} on {index.Table} has never been scanned" + (enough ? "" : " (statistics too young to call it unused)"),
                $"0 index scans, {index.Bytes / 1024.0:#,0.#} kB; {e.StatisticsAge}; check replicas and other environments before dropping it",
                enough ? $"DROP INDEX CONCURRENTLY {index.Schema}.{index.Name};" : null);
        }
    }
}
