using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>The peak of the sessions sampled during the load against <c>max_connections</c>: postgresqltuner warns above 70 %, critical above 90 %.</summary>
public sealed class ConnectionUsage : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        var (peak, max) = (e.PeakConnections, e.MaxConnections);
        if (max > 0 && peak > 0.7 * max)
        {
            yield return new DbFinding("connections", peak > 0.9 * max ? Severity.Critical : Severity.Warning, $"{peak} of {max} connections in use ({100.0 * peak / max:0} %)",
                "peak of the sessions sampled during the load; postgresqltuner warns above 70 %", "put a pooler (PgBouncer) in front, or lower the services' pool sizes");
        }
    }
}
