using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Statements the load ran slowly: a mean from <c>database.slowQueryMeanTime</c> over at least <c>database.slowQueryCalls</c> calls (PgHero's rule).</summary>
public sealed class SlowQueries : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var slow in e.Queries.Where(q => e.IsSlow(q) && q.Calls >= e.Config.SlowQueryCalls))
        {
            yield return new DbFinding("slow-query", Severity.Warning, $"slow query: {PgText.Ms(slow.MeanMs)} mean over {slow.Calls:#,0} calls",
                $"{PgText.Ms(slow.TotalMs)} in total during the load; slow from a mean of {PgText.Ms(e.Config.SlowQueryMeanTime.TotalMilliseconds)} and {e.Config.SlowQueryCalls} calls",
                Query: slow.Query);
        }
    }
}
