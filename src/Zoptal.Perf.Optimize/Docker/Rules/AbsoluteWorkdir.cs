using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>hadolint DL3000: a relative WORKDIR (variables and Windows drive paths count as absolute).</summary>
public sealed class AbsoluteWorkdir : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        foreach (var workdir in context.File.Instructions.Where(i => i.Keyword == "WORKDIR"))
        {
            var path = DockerfileContext.DropQuotes(workdir.Body.Trim());
            if (path.Length == 0 || path.StartsWith('$') || path.StartsWith('/') || path.Length >= 2 && char.IsLetter(path[0]) && path[1] == ':')
                continue;
            yield return context.Finding("DL3000", Severity.Warning, workdir.Line, "relative WORKDIR",
                $"WORKDIR {workdir.Body}: relative to the previous WORKDIR, which depends on the base image", "an absolute path: WORKDIR /app");
        }
    }
}
