using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Queries seen running for 60 s or more during the load, each session once at its longest.</summary>
public sealed class LongRunningQueries : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var session in e.Activity.SelectMany(s => s.LongRunning).GroupBy(s => s.Pid).Select(g => g.MaxBy(s => s.Seconds)!))
            yield return new DbFinding("long-running", Severity.Warning, $"query running {session.Seconds:0} s (pid {session.Pid}, {session.State})", "seen during the load; long from 60 s", Query: session.Query);
    }
}
