using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>hadolint DL3018: <c>apk add &lt;package&gt;</c> without <c>=version</c> (or <c>~</c>, <c>&gt;</c>, <c>&lt;</c>); .apk files and the values of -t/--virtual, --repository/-X are not packages.</summary>
public sealed class PinApkPackages : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        foreach (var instruction in context.File.Instructions)
        {
            var run = instruction.Keyword == "RUN" ? instruction : instruction.Deferred is { Keyword: "RUN" } deferred ? deferred : null;
            if (run is null)
                continue;
            var unpinned = DockerfileContext.Script(run).Script.Commands.Where(c => c.Name == "apk" && c.Arguments.Any(a => a.Value == "add"))
                .SelectMany(c => c.ArgsNoFlags("t", "virtual", "repository", "X").Select(a => a.Value).Where(a => a != "add"))
                .Where(p => !p.Contains('=', StringComparison.Ordinal) && !p.Contains('~', StringComparison.Ordinal) && !p.Contains('>', StringComparison.Ordinal) && !p.Contains('<', StringComparison.Ordinal) && !p.EndsWith(".apk", StringComparison.Ordinal))
                .ToList();
            if (unpinned.Count > 0)
            {
                yield return context.Finding("DL3018", Severity.Info, instruction.Line, "apk packages without a version",
                    $"apk add {string.Join(" ", unpinned)}: each build may get a different version", "apk add <package>=<version>");
            }
        }
    }
}
