using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// hadolint DL3016: <c>npm install &lt;package&gt;</c> without a version. Not for a bare <c>npm install</c> (the lock
/// file pins), paths, tarballs, or git URLs pinned with <c>#</c>; <c>--loglevel</c> and <c>--registry</c> take a value.
/// </summary>
public sealed class PinNpmPackages : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        foreach (var instruction in context.File.Instructions)
        {
            var run = instruction.Keyword == "RUN" ? instruction : instruction.Deferred is { Keyword: "RUN" } deferred ? deferred : null;
            if (run is null)
                continue;
            var unpinned = DockerfileContext.Script(run).Script.Commands.Where(c => c.Name == "npm" && c.Arguments.Any(a => a.Value == "install"))
                .Select(c => c.ArgsNoFlags("loglevel", "registry").Select(a => a.Value).ToList())
                .Where(args => args.FirstOrDefault() == "install")
                .SelectMany(args => args.SkipWhile(a => a != "install").SkipWhile(a => a == "install").Where(p => !Pinned(p)))
                .ToList();
            if (unpinned.Count > 0)
            {
                yield return context.Finding("DL3016", Severity.Warning, instruction.Line, "npm packages without a version",
                    $"npm install {string.Join(" ", unpinned)}: each build may get a different version", "npm install <package>@<version>");
            }
        }
    }

    private static bool Pinned(string package)
    {
        if (package.StartsWith("git://", StringComparison.Ordinal) || package.StartsWith("git+ssh://", StringComparison.Ordinal) || package.StartsWith("git+http://", StringComparison.Ordinal) || package.StartsWith("git+https://", StringComparison.Ordinal))
            return package.Contains('#', StringComparison.Ordinal);
        if (package.EndsWith(".tar", StringComparison.Ordinal) || package.EndsWith(".tar.gz", StringComparison.Ordinal) || package.EndsWith(".tgz", StringComparison.Ordinal))
            return true;
        if (package.StartsWith('/') || package.StartsWith("./", StringComparison.Ordinal) || package.StartsWith("../", StringComparison.Ordinal) || package.StartsWith("~/", StringComparison.Ordinal))
            return true;
        // hadolint drops a scope's leading characters up to the first one at or below '/' before looking for '@'.
        var name = package.StartsWith('@') ? new string([.. package.SkipWhile(c => c > '/')]) : package;
        return name.Contains('@', StringComparison.Ordinal);
    }
}
