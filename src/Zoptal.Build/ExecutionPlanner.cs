using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Build;

/// <summary>Raised for a build definition or invocation that cannot be planned; exit code 2.</summary>
public sealed class PlanningException(string message) : ExitCodeException(message, ExitCodes.Usage);

/// <summary>
/// Turns invoked targets into an ordered plan, as Nuke's ExecutionPlanner does: dependencies are pulled in,
/// triggers are followed until nothing new is added, then a topological sort whose ties follow declaration order.
/// </summary>
public static class ExecutionPlanner
{
    /// <summary>Finds a target by name: case-insensitive, dashes ignored (<c>load-test</c> = <c>LoadTest</c>).</summary>
    public static ExecutableTarget? Find(IReadOnlyList<ExecutableTarget> targets, string name) =>
        targets.FirstOrDefault(t => NameCase.Normalize(t.Name) == NameCase.Normalize(name));

    /// <summary>Resolves names to targets, or throws an error that lists the known targets.</summary>
    public static IReadOnlyList<ExecutableTarget> Resolve(IReadOnlyList<ExecutableTarget> targets, IEnumerable<string> names)
    {
        var result = new List<ExecutableTarget>();
        foreach (var name in names)
        {
            var target = Find(targets, name);
            if (target is null)
            {
                var suggestion = Suggestions.Closest(name, targets.Select(t => t.Name), NameCase.Normalize);
                var hint = suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?";
                throw new PlanningException(
                    $"Target '{name}' is not defined.{hint} Available targets: {string.Join(", ", targets.Select(t => t.Name))}.");
            }

            if (!result.Contains(target))
                result.Add(target);
        }

        return result;
    }

    /// <summary>The targets to run for the invoked ones, in execution order.</summary>
    public static IReadOnlyList<ExecutableTarget> Plan(IReadOnlyList<ExecutableTarget> allTargets, IReadOnlyList<ExecutableTarget> invoked)
    {
        var scheduled = new HashSet<ExecutableTarget>();
        var queue = new Queue<ExecutableTarget>(invoked);
        while (queue.Count > 0)
        {
            var target = queue.Dequeue();
            if (!scheduled.Add(target))
                continue;
            foreach (var next in target.ExecutionDependencies.Concat(target.Triggers))
                queue.Enqueue(next);
        }

        return Sort(scheduled);
    }

    private static List<ExecutableTarget> Sort(HashSet<ExecutableTarget> scheduled)
    {
        // predecessors[t] = targets that must run before t, restricted to the scheduled ones.
        var predecessors = scheduled.ToDictionary(t => t, _ => new HashSet<ExecutableTarget>());
        foreach (var target in scheduled)
        {
            foreach (var before in target.ExecutionDependencies.Concat(target.OrderDependencies).Concat(target.TriggeredBy))
            {
                if (scheduled.Contains(before))
                    predecessors[target].Add(before);
            }
        }

        var ordered = new List<ExecutableTarget>();
        var remaining = new HashSet<ExecutableTarget>(scheduled);
        while (remaining.Count > 0)
        {
            var next = remaining
                .Where(t => predecessors[t].All(p => !remaining.Contains(p)))
                .OrderBy(t => t.DeclarationIndex)
                .FirstOrDefault();
            if (next is null)
                throw new PlanningException($"Circular dependency between targets: {DescribeCycle(remaining, predecessors)}.");
            ordered.Add(next);
            remaining.Remove(next);
        }

        return ordered;
    }

    private static string DescribeCycle(HashSet<ExecutableTarget> remaining, Dictionary<ExecutableTarget, HashSet<ExecutableTarget>> predecessors)
    {
        // Every remaining target has a remaining predecessor, so walking predecessors must revisit one.
        var path = new List<ExecutableTarget>();
        var current = remaining.OrderBy(t => t.DeclarationIndex).First();
        while (!path.Contains(current))
        {
            path.Add(current);
            current = predecessors[current].Where(remaining.Contains).OrderBy(t => t.DeclarationIndex).First();
        }

        var cycle = path.Skip(path.IndexOf(current)).Reverse().ToList();
        cycle.Add(cycle[0]);
        return string.Join(" -> ", cycle.Select(t => t.Name));
    }
}
