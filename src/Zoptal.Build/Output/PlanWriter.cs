using System.Net;
using System.Text;

namespace Zoptal.Build;

/// <summary><c>--plan</c>: the execution plan as text and as a Mermaid graph in an HTML page.</summary>
public static class PlanWriter
{
    /// <summary>The plan as numbered lines, with each target's dependencies and skip state.</summary>
    public static string RenderText(IReadOnlyList<ExecutableTarget> plan)
    {
        var builder = new StringBuilder("Execution plan:").AppendLine().AppendLine();
        for (var i = 0; i < plan.Count; i++)
        {
            var target = plan[i];
            var details = new List<string>();
            if (target.ExecutionDependencies.Count > 0)
                details.Add("after " + string.Join(", ", target.ExecutionDependencies.Select(d => d.Name)));
            if (target.TriggeredBy.Any(plan.Contains))
                details.Add("triggered by " + string.Join(", ", target.TriggeredBy.Where(plan.Contains).Select(d => d.Name)));
            if (target.Status == TargetStatus.Skipped)
                details.Add("skipped: " + target.SkipReason);
            var suffix = details.Count == 0 ? string.Empty : $"  ({string.Join("; ", details)})";
            builder.AppendLine($"  {i + 1}. {target.Name}{(target.Invoked ? " *" : string.Empty)}{suffix}");
        }

        builder.AppendLine().AppendLine("  * invoked");
        return builder.ToString();
    }

    /// <summary>A Mermaid flowchart of every target, the planned ones highlighted.</summary>
    public static string RenderMermaid(IReadOnlyList<ExecutableTarget> allTargets, IReadOnlyList<ExecutableTarget> plan)
    {
        var builder = new StringBuilder("graph LR").AppendLine();
        foreach (var target in allTargets)
        {
            builder.AppendLine($"  {target.Name}[\"{target.Name}\"]");
            foreach (var dependency in target.ExecutionDependencies)
                builder.AppendLine($"  {dependency.Name} --> {target.Name}");
            foreach (var triggered in target.Triggers)
                builder.AppendLine($"  {target.Name} -.->|triggers| {triggered.Name}");
        }

        foreach (var target in plan)
            builder.AppendLine($"  class {target.Name} planned");
        builder.AppendLine("  classDef planned fill:#dbeafe,stroke:#1d4ed8,stroke-width:2px");
        return builder.ToString();
    }

    /// <summary>An HTML page holding the graph's source; it renders where Mermaid is available and stays readable where not.</summary>
    public static string RenderHtml(IReadOnlyList<ExecutableTarget> allTargets, IReadOnlyList<ExecutableTarget> plan) =>
        $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Execution plan</title>
        <style>body{font-family:system-ui,sans-serif;margin:2rem} pre{background:#f6f8fa;padding:1rem}</style></head>
        <body>
        <h1>Execution plan</h1>
        <ol>{{string.Concat(plan.Select(t => $"<li>{WebUtility.HtmlEncode(t.Name)}</li>"))}}</ol>
        <h2>Target graph (Mermaid)</h2>
        <pre class="mermaid">
        {{WebUtility.HtmlEncode(RenderMermaid(allTargets, plan))}}</pre>
        <!-- Offline the graph's source stays readable above; online, Mermaid draws it. -->
        <script type="module">
        import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.esm.min.mjs';
        mermaid.initialize({ startOnLoad: true });
        </script>
        </body>
        </html>
        """;
}
