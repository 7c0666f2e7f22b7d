using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Reporting.Gate;

/// <summary>What the gate looked at.</summary>
public enum GateItemKind
{
    /// <summary>A service's or scenario's graded metric.</summary>
    Grade,

    /// <summary>A failed k6 threshold.</summary>
    Threshold,

    /// <summary>A service or scenario slower than its baseline.</summary>
    Regression,

    /// <summary>A watched process's or container's CPU or memory grade.</summary>
    Resource,

    /// <summary>The run as a whole: aborted, or measured with a saturated generator.</summary>
    Run,
}

/// <summary>What the gate did with an item; decided once, by <see cref="GateEvaluator"/>, and read by every renderer.</summary>
public enum GateEffect
{
    /// <summary>It fails the gate.</summary>
    Fails,

    /// <summary>It would fail the gate, but the policy is <c>never</c>: reported only.</summary>
    Reported,

    /// <summary><c>gate.exclude</c> names its service or scenario: graded, never failing.</summary>
    Excluded,

    /// <summary>Not gated: the stress phase (past capacity on purpose), or the embedded platform sharing the generator's machine.</summary>
    NotGated,

    /// <summary>The policy does not fail on this kind of item (<c>regression</c> on grades, the others on regressions).</summary>
    OtherPolicy,

    /// <summary>Worth knowing, never failing (a resource not watched, a saturated generator).</summary>
    Info,
}

/// <summary>
/// One thing the gate decided on: where (phase, service, scenario), what (<see cref="Subject"/>: the metric, the
/// threshold <c>metric: expression</c>, or null), the sentence reports show (with the effect's reason in brackets when it
/// does not fail), and the effect.
/// </summary>
public sealed record GateItem(GateItemKind Kind, string? Phase, string? Service, string? Scenario, string? Subject, string Text, GateEffect Effect)
{
    /// <summary>The finding without its place: <c>Response time (p95) 2,345 ms is critical</c>, <c>actual 612.5</c>, <c>Slower: +12 % (Mann-Whitney)</c>.</summary>
    public string Detail { get; init; } = Text;

    /// <summary>The grade, for graded items.</summary>
    public Grade? Grade { get; init; }

    /// <summary>Whether it is one of the gate's reasons (it fails, or would fail under a policy other than never).</summary>
    public bool IsReason => Effect is GateEffect.Fails or GateEffect.Reported;
}

/// <summary>The gate's verdict: the policy, whether it passed, and every item it decided on, in the order it found them.</summary>
public sealed record GateResult(GateFailOn Policy, IReadOnlyList<GateItem> Items)
{
    /// <summary>Whether the gate passed: nothing fails it (always under <c>never</c>).</summary>
    public bool Passed => Items.All(i => i.Effect != GateEffect.Fails);

    /// <summary>Why it failed (or would have, under <c>never</c>).</summary>
    public IReadOnlyList<string> Reasons => [.. Items.Where(i => i.IsReason).Select(i => i.Text)];

    /// <summary>Everything else worth saying: excluded, not gated, another policy's business, information.</summary>
    public IReadOnlyList<string> Notes => [.. Items.Where(i => !i.IsReason).Select(i => i.Text)];

    /// <summary>The item for a kind, place and subject; null when the gate had nothing to say about it.</summary>
    public GateItem? Find(GateItemKind kind, string phase, string service, string? scenario, string? subject) =>
        Items.FirstOrDefault(i => i.Kind == kind && i.Phase == phase && i.Service == service && i.Scenario == scenario && i.Subject == subject);
}
