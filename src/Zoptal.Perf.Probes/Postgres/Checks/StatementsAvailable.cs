using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>pg_stat_statements must be there for per-query times: the extension created, the library preloaded.</summary>
public sealed class StatementsAvailable : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        if (e.Capabilities.Statements)
            yield break;
        yield return new DbFinding("pg-stat-statements", Severity.Warning, "pg_stat_statements is not available: no per-query times",
            e.Capabilities.StatementsPreloaded ? "the library is preloaded, but the extension is not created in this database"
                : "shared_preload_libraries does not list pg_stat_statements",
            e.Capabilities.StatementsPreloaded ? "CREATE EXTENSION pg_stat_statements;"
                : "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; -- then restart PostgreSQL, and: CREATE EXTENSION pg_stat_statements;");
    }
}
