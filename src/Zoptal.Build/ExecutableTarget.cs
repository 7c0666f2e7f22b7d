namespace Zoptal.Build;

/// <summary>How a target ended.</summary>
public enum TargetStatus
{
    /// <summary>Not run yet.</summary>
    None,

    /// <summary>Ran and finished.</summary>
    Succeeded,

    /// <summary>Ran and threw.</summary>
    Failed,

    /// <summary>Not run because of a condition or <c>--skip</c>.</summary>
    Skipped,

    /// <summary>Not run because an earlier target failed.</summary>
    NotRun,

    /// <summary>Interrupted by Ctrl+C or SIGTERM.</summary>
    Aborted,
}

/// <summary>A target with its definition resolved to other targets, and its outcome.</summary>
public sealed class ExecutableTarget
{
    internal ExecutableTarget(string name, int declarationIndex, Target factory, TargetDefinition definition)
    {
        Name = name;
        DeclarationIndex = declarationIndex;
        Factory = factory;
        Definition = definition;
    }

    /// <summary>The property's name.</summary>
    public string Name { get; }

    /// <summary>Position among the build's targets; ties in the plan are broken by it.</summary>
    public int DeclarationIndex { get; }

    internal Target Factory { get; }
    internal TargetDefinition Definition { get; }

    /// <summary>The description given with <c>Description(...)</c>.</summary>
    public string? Description => Definition.DescriptionText;

    /// <summary>True when the target has no actions (only groups others); such targets are hidden in the summary.</summary>
    public bool IsCollective => Definition.Actions.Count == 0;

    /// <summary>Targets that run before this one and are pulled in with it.</summary>
    public List<ExecutableTarget> ExecutionDependencies { get; } = [];

    /// <summary>Targets that run before this one only when both are scheduled.</summary>
    public List<ExecutableTarget> OrderDependencies { get; } = [];

    /// <summary>Targets this one triggers.</summary>
    public List<ExecutableTarget> Triggers { get; } = [];

    /// <summary>Targets that trigger this one.</summary>
    public List<ExecutableTarget> TriggeredBy { get; } = [];

    /// <summary>The target was named on the command line (or is the default).</summary>
    public bool Invoked { get; internal set; }

    /// <summary>The outcome.</summary>
    public TargetStatus Status { get; internal set; }

    /// <summary>Why the target was skipped, or why it failed.</summary>
    public string? SkipReason { get; internal set; }

    /// <summary>How long the target's actions ran.</summary>
    public TimeSpan Duration { get; internal set; }

    /// <summary>Notes reported with <c>ReportSummary</c>, shown as <c>// Key: Value</c> in the summary.</summary>
    public IDictionary<string, string> SummaryNotes { get; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public override string ToString() => Name;
}
