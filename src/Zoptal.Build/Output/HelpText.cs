using System.Text;

namespace Zoptal.Build;

/// <summary>The text of <c>--help</c>: targets with their direct dependencies, then parameters.</summary>
public static class HelpText
{
    /// <summary>Renders the help.</summary>
    public static string Render(IReadOnlyList<ExecutableTarget> targets, IReadOnlyList<ExecutableTarget> defaults, IReadOnlyList<ParameterMember> parameters)
    {
        var builder = new StringBuilder();
        builder.AppendLine("Targets (with their direct dependencies):");
        builder.AppendLine();
        var listed = targets.Where(t => !t.Definition.IsUnlisted).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var rows = listed.Select(t => (
            Name: t.Name + (defaults.Contains(t) ? " (default)" : string.Empty),
            Dependencies: t.ExecutionDependencies.Count == 0 ? string.Empty : "-> " + string.Join(", ", t.ExecutionDependencies.Select(d => d.Name)),
            t.Description)).ToList();
        var nameWidth = rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max() + 2;
        var dependencyWidth = rows.Select(r => r.Dependencies.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var (name, dependencies, description) in rows)
            builder.AppendLine($"  {name.PadRight(nameWidth)}{dependencies.PadRight(dependencyWidth)}{description}".TrimEnd());

        builder.AppendLine();
        builder.AppendLine("Parameters:");
        builder.AppendLine();
        AppendParameters(builder, parameters.Select(p => (p.DisplayName, Describe(p))).ToList());
        builder.AppendLine();
        AppendParameters(builder,
        [
            ("--help", "Shows this help."),
            ("--plan", "Shows the execution plan and writes it as a Mermaid graph to .nuke/temp/execution-plan.html."),
            ("--target", "Targets to run (also as leading words: ./build.sh LoadTest). Type: string[]."),
            ("--skip", "Targets to skip; with no value, every target that was not invoked. Type: string[]."),
            ("--root", "Root directory; by default the nearest folder with a .nuke/ directory. Type: path."),
            ("--profile", "Loads .nuke/parameters.<profile>.json after .nuke/parameters.json; a later profile wins. Type: string[]."),
            ("--verbosity", "quiet, minimal, normal or verbose. Default: normal."),
            ("--no-logo", "Leaves out the logo."),
        ]);
        return builder.ToString();
    }

    private static string Describe(ParameterMember parameter)
    {
        var parts = new List<string>();
        if (parameter.Description is { } description)
            parts.Add(description.TrimEnd('.') + ".");
        parts.Add($"Type: {ParameterValueConverter.ShortName(parameter.Type)}.");
        var defaultText = ParameterValueConverter.Format(parameter.DefaultValue);
        if (parameter.DefaultValue is not null && defaultText.Length > 0)
            parts.Add($"Default: {(parameter.IsSecret ? Zoptal.Perf.Core.Secrets.SecretMasker.Mask : defaultText)}.");
        if (parameter.IsSecret)
            parts.Add("Secret.");
        if (parameter.EnvironmentVariables.Count > 0)
            parts.Add($"Env: {string.Join(", ", parameter.EnvironmentVariables)}.");
        return string.Join(' ', parts);
    }

    private static void AppendParameters(StringBuilder builder, List<(string Name, string Text)> rows)
    {
        var width = rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var (name, text) in rows)
            builder.AppendLine($"  {name.PadRight(width)}{text}");
    }
}
