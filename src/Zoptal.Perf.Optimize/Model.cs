namespace Zoptal.Perf.Optimize;

/// <summary>Where a rule looks.</summary>
public enum Area
{
    Docker,
    Postgres,
    Pm2,
    Nextjs,
}

/// <summary>How much a finding matters.</summary>
public enum Severity
{
    Info,
    Warning,
    Critical,
}

/// <summary>A change to one file: its text before and after (the diff is made from these).</summary>
public sealed record FilePatch(string RelativePath, string Original, string Updated);

/// <summary>
/// A recommendation with its evidence: what was read (inputs), the rule's formula or threshold, the numbers, the
/// recommendation, a link to the source of the rule, and the patch that applies it when one is safe to offer.
/// </summary>
public sealed record Finding(string RuleId, Area Area, Severity Severity, string File, int? Line, string Title, string Evidence, string Recommendation, string Link)
{
    /// <summary>The change, when the rule can make it safely; several findings may share one file's patch.</summary>
    public FilePatch? Patch { get; init; }

    /// <summary>The metrics of the newest run this finding is expected to move, with their values now; null without a run.</summary>
    public string? Moves { get; init; }
}

/// <summary>The box the services run in: CPUs and memory from cgroup limits, or the host's, and where they came from.</summary>
public sealed record Limits(double Cpus, long MemoryBytes, string Source);
