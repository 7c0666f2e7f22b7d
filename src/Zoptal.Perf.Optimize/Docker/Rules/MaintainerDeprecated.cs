using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>hadolint DL4000: MAINTAINER is deprecated.</summary>
public sealed class MaintainerDeprecated : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context) =>
        context.File.Instructions.Where(i => i.Keyword == "MAINTAINER").Select(i => context.Finding("DL4000", Severity.Info, i.Line, "MAINTAINER is deprecated",
            $"MAINTAINER {i.Body}: deprecated since Docker 1.13", $"LABEL maintainer=\"{i.Body.Replace("\"", "\\\"", StringComparison.Ordinal)}\""));
}
