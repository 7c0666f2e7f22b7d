using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>hadolint DL3002: a stage whose last USER is root (<c>root</c>, <c>0</c>, <c>root:…</c>, <c>0:…</c>); reported at that USER.</summary>
public sealed class LastUserNotRoot : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        foreach (var stage in context.File.Stages)
        {
            var user = stage.Instructions.LastOrDefault(i => i.Keyword == "USER");
            var value = user?.Body.Trim() ?? "";
            if (user is not null && (value is "root" or "0" || value.StartsWith("root:", StringComparison.Ordinal) || value.StartsWith("0:", StringComparison.Ordinal)))
            {
                yield return context.Finding("DL3002", Severity.Warning, user.Line, "the last USER is root",
                    $"USER {value} is the stage's last USER: its processes run as root", "switch to a non-root USER after the steps that need root");
            }
        }
    }
}
