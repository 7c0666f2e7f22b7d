using System.Linq.Expressions;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Build;

/// <summary>A condition with the source text it was written as; the text is the skip reason.</summary>
public sealed record TargetCondition(Func<bool> Evaluate, string Text);

/// <summary>A requirement checked before the build starts.</summary>
public sealed record TargetRequirement(Func<bool> IsMet, string Message);

/// <summary>Collects what a target's fluent definition declares.</summary>
internal sealed class TargetDefinition : ITargetDefinition
{
    public string? DescriptionText { get; private set; }
    public List<Func<CancellationToken, Task>> Actions { get; } = [];
    public List<Target> DependsOnTargets { get; } = [];
    public List<Target> DependentForTargets { get; } = [];
    public List<Target> AfterTargets { get; } = [];
    public List<Target> BeforeTargets { get; } = [];
    public List<Target> TriggersTargets { get; } = [];
    public List<Target> TriggeredByTargets { get; } = [];
    public List<TargetCondition> StaticConditions { get; } = [];
    public List<TargetCondition> DynamicConditions { get; } = [];
    public List<TargetRequirement> Requirements { get; } = [];
    public DependencyBehavior SkippedDependencyBehavior { get; private set; } = DependencyBehavior.Skip;
    public bool IsProceedAfterFailure { get; private set; }
    public bool IsAssuredAfterFailure { get; private set; }
    public bool IsUnlisted { get; private set; }
    public List<string> ProducedArtifacts { get; } = [];
    public List<(Target Target, string[] Artifacts)> ConsumedArtifacts { get; } = [];

    public ITargetDefinition Description(string description)
    {
        DescriptionText = description;
        return this;
    }

    public ITargetDefinition Executes(Action action) => Executes(_ =>
    {
        action();
        return Task.CompletedTask;
    });

    public ITargetDefinition Executes(Func<Task> action) => Executes(_ => action());

    public ITargetDefinition Executes(Func<CancellationToken, Task> action)
    {
        Actions.Add(action);
        return this;
    }

    public ITargetDefinition DependsOn(params Target[] targets) => Add(DependsOnTargets, targets);
    public ITargetDefinition DependentFor(params Target[] targets) => Add(DependentForTargets, targets);
    public ITargetDefinition After(params Target[] targets) => Add(AfterTargets, targets);
    public ITargetDefinition Before(params Target[] targets) => Add(BeforeTargets, targets);
    public ITargetDefinition Triggers(params Target[] targets) => Add(TriggersTargets, targets);
    public ITargetDefinition TriggeredBy(params Target[] targets) => Add(TriggeredByTargets, targets);

    public ITargetDefinition OnlyWhenStatic(Func<bool> condition, string? conditionText = null)
    {
        StaticConditions.Add(new TargetCondition(condition, conditionText ?? "condition"));
        return this;
    }

    public ITargetDefinition OnlyWhenDynamic(Func<bool> condition, string? conditionText = null)
    {
        DynamicConditions.Add(new TargetCondition(condition, conditionText ?? "condition"));
        return this;
    }

    public ITargetDefinition WhenSkipped(DependencyBehavior behavior)
    {
        SkippedDependencyBehavior = behavior;
        return this;
    }

    public ITargetDefinition Requires<T>(Expression<Func<T>> requirement)
    {
        var evaluate = requirement.Compile();
        if (typeof(T) == typeof(bool))
        {
            Requirements.Add(new TargetRequirement(() => (bool)(object)evaluate()!, $"requires {Describe(requirement.Body)}"));
            return this;
        }

        var name = requirement.Body is MemberExpression member
            ? "--" + NameCase.ToKebabCase(member.Member.Name)
            : requirement.Body.ToString();
        Requirements.Add(new TargetRequirement(() => HasValue(evaluate()), $"requires parameter '{name}' to have a value"));
        return this;
    }

    public ITargetDefinition ProceedAfterFailure()
    {
        IsProceedAfterFailure = true;
        return this;
    }

    public ITargetDefinition AssuredAfterFailure()
    {
        IsAssuredAfterFailure = true;
        return this;
    }

    public ITargetDefinition Produces(params string[] artifacts)
    {
        ProducedArtifacts.AddRange(artifacts);
        return this;
    }

    public ITargetDefinition Consumes(Target target, params string[] artifacts)
    {
        ConsumedArtifacts.Add((target, artifacts));
        return this;
    }

    public ITargetDefinition Unlisted()
    {
        IsUnlisted = true;
        return this;
    }

    private TargetDefinition Add(List<Target> list, Target[] targets)
    {
        list.AddRange(targets);
        return this;
    }

    private static bool HasValue(object? value) => value switch
    {
        null => false,
        string s => !string.IsNullOrWhiteSpace(s),
        Array a => a.Length > 0,
        _ => true,
    };

    // Closure fields print as "value(Build+<>c__DisplayClass).Vus"; keep the member names only.
    private static string Describe(Expression body) =>
        System.Text.RegularExpressions.Regex.Replace(body.ToString(), @"value\([^)]*\)\.", string.Empty);
}
