using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace Zoptal.Build;

/// <summary>A target, declared as a property: <c>Target Compile => _ => _.Executes(...)</c>.</summary>
public delegate ITargetDefinition Target(ITargetDefinition definition);

/// <summary>What happens to a target's dependencies when a static condition skips it.</summary>
public enum DependencyBehavior
{
    /// <summary>Skip the dependencies too, unless another scheduled target needs them (Nuke's default).</summary>
    Skip,

    /// <summary>Run the dependencies anyway.</summary>
    Execute,
}

/// <summary>The fluent definition of a target; each call adds to it and returns it.</summary>
public interface ITargetDefinition
{
    /// <summary>Text shown by <c>--help</c>.</summary>
    ITargetDefinition Description(string description);

    /// <summary>A synchronous action.</summary>
    ITargetDefinition Executes(Action action);

    /// <summary>An asynchronous action.</summary>
    ITargetDefinition Executes(Func<Task> action);

    /// <summary>An asynchronous action that observes the build's cancellation (Ctrl+C, SIGTERM).</summary>
    ITargetDefinition Executes(Func<CancellationToken, Task> action);

    /// <summary>The targets run first and are pulled into the plan.</summary>
    ITargetDefinition DependsOn(params Target[] targets);

    /// <summary>This target runs before the given ones, and is pulled into the plan when they are.</summary>
    ITargetDefinition DependentFor(params Target[] targets);

    /// <summary>Runs after the given targets when both are scheduled; pulls nothing in.</summary>
    ITargetDefinition After(params Target[] targets);

    /// <summary>Runs before the given targets when both are scheduled; pulls nothing in.</summary>
    ITargetDefinition Before(params Target[] targets);

    /// <summary>Schedules the given targets after this one.</summary>
    ITargetDefinition Triggers(params Target[] targets);

    /// <summary>This target is scheduled after any of the given ones.</summary>
    ITargetDefinition TriggeredBy(params Target[] targets);

    /// <summary>Evaluated for the whole plan before anything runs; the skip reason is the condition's text.</summary>
    ITargetDefinition OnlyWhenStatic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? conditionText = null);

    /// <summary>Evaluated right before the target runs; the skip reason is the condition's text.</summary>
    ITargetDefinition OnlyWhenDynamic(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string? conditionText = null);

    /// <summary>What a static skip does to this target's dependencies.</summary>
    ITargetDefinition WhenSkipped(DependencyBehavior behavior);

    /// <summary>
    /// Checked before anything runs: a parameter (<c>() =&gt; Token</c>) must have a value,
    /// a boolean (<c>() =&gt; Vus &gt; 0</c>) must be true.
    /// </summary>
    ITargetDefinition Requires<T>(Expression<Func<T>> requirement);

    /// <summary>When this target fails, the build goes on with the targets after it.</summary>
    ITargetDefinition ProceedAfterFailure();

    /// <summary>Runs even after another target failed or the build was interrupted.</summary>
    ITargetDefinition AssuredAfterFailure();

    /// <summary>Artifacts this target writes (paths or globs relative to the root), published by CI.</summary>
    ITargetDefinition Produces(params string[] artifacts);

    /// <summary>Artifacts of another target this one reads, downloaded by CI.</summary>
    ITargetDefinition Consumes(Target target, params string[] artifacts);

    /// <summary>Hides the target from <c>--help</c>.</summary>
    ITargetDefinition Unlisted();
}
