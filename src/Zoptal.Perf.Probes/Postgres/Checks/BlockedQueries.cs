using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Queries seen waiting on another session's lock during the load (pg_blocking_pids).</summary>
public sealed class BlockedQueries : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var session in e.Activity.SelectMany(s => s.Blocked).GroupBy(s => s.Pid).Select(g => g.MaxBy(s => s.Seconds)!))
        {
            yield return new DbFinding("blocked-query", Severity.Warning, $"query blocked by pid {string.Join(", ", session.BlockedBy)} (pid {session.Pid}, waiting {session.Seconds:0.#} s)",
                "pg_blocking_pids during the load", Query: session.Query);
        }
    }
}
