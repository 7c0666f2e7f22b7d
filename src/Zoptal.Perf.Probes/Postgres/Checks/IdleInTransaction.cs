using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Sessions idle in transaction during the load: they hold locks and snapshots.</summary>
public sealed class IdleInTransaction : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        var idle = e.Activity.Count == 0 ? 0 : e.Activity.Max(s => s.IdleInTransaction);
        if (idle > 0)
            yield return new DbFinding("connections", idle >= 100 ? Severity.Critical : Severity.Info, $"{idle} sessions idle in transaction", "peak during the load; they hold locks and snapshots");
    }
}
