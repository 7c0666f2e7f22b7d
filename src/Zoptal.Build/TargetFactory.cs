using System.Reflection;

namespace Zoptal.Build;

/// <summary>Finds a build's target properties (also default members of interfaces it implements) and resolves their definitions.</summary>
public static class TargetFactory
{
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>The build's targets, resolved, in declaration order.</summary>
    public static IReadOnlyList<ExecutableTarget> Create(object build)
    {
        var properties = FindTargetProperties(build.GetType());
        var targets = new List<ExecutableTarget>();
        foreach (var property in properties)
        {
            var factory = (Target)property.GetValue(build)!;
            var definition = new TargetDefinition();
            factory(definition);
            targets.Add(new ExecutableTarget(property.Name, targets.Count, factory, definition));
        }

        foreach (var target in targets)
        {
            var definition = target.Definition;
            target.ExecutionDependencies.AddRange(definition.DependsOnTargets.Select(f => Lookup(targets, f, target)));
            target.OrderDependencies.AddRange(definition.AfterTargets.Select(f => Lookup(targets, f, target)));
            target.Triggers.AddRange(definition.TriggersTargets.Select(f => Lookup(targets, f, target)));
            target.TriggeredBy.AddRange(definition.TriggeredByTargets.Select(f => Lookup(targets, f, target)));
            foreach (var other in definition.DependentForTargets.Select(f => Lookup(targets, f, target)))
                other.ExecutionDependencies.Add(target);
            foreach (var other in definition.BeforeTargets.Select(f => Lookup(targets, f, target)))
                other.OrderDependencies.Add(target);
        }

        // Triggers and TriggeredBy are two views of one relation.
        foreach (var target in targets)
        {
            foreach (var triggered in target.Triggers.Where(t => !t.TriggeredBy.Contains(target)).ToList())
                triggered.TriggeredBy.Add(target);
            foreach (var trigger in target.TriggeredBy.Where(t => !t.Triggers.Contains(target)).ToList())
                trigger.Triggers.Add(target);
        }

        return targets;
    }

    private static List<PropertyInfo> FindTargetProperties(Type type)
    {
        var found = new List<PropertyInfo>();
        var names = new HashSet<string>();
        // Base classes first, so declaration order reads from the most general build down.
        var hierarchy = new List<Type>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            hierarchy.Insert(0, t);
        foreach (var t in hierarchy)
        {
            foreach (var property in t.GetProperties(Members | BindingFlags.DeclaredOnly).Where(p => p.PropertyType == typeof(Target)))
            {
                if (names.Add(property.Name))
                    found.Add(property);
            }
        }

        foreach (var @interface in type.GetInterfaces())
        {
            foreach (var property in @interface.GetProperties().Where(p => p.PropertyType == typeof(Target) && p.GetMethod is { IsAbstract: false }))
            {
                if (names.Add(property.Name))
                    found.Add(property);
            }
        }

        return found;
    }

    // Delegates from the same lambda on the same build compare equal, so a target is found by its factory.
    private static ExecutableTarget Lookup(List<ExecutableTarget> targets, Target factory, ExecutableTarget referrer) =>
        targets.FirstOrDefault(t => t.Factory.Equals(factory))
        ?? throw new PlanningException($"Target '{referrer.Name}' refers to a target that is not a property of the build.");
}
