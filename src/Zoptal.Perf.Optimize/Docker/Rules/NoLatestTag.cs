using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>hadolint DL3007: <c>FROM image:latest</c> (a digest beside it pins it).</summary>
public sealed class NoLatestTag : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context) =>
        from stage in context.File.Stages
        let raw = stage.From.Body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0]
        let image = ImageReference.Parse(raw)
        where image.Tag == "latest" && image.Digest is null
        select context.Finding("DL3007", Severity.Warning, stage.From.Line, $"base image {raw} uses the latest tag",
            $"FROM {raw}: latest moves to each new release, so two builds of one commit can differ", "pin a version tag (node:22-alpine) or a digest");
}
