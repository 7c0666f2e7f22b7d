using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// hadolint DL3006: a FROM without a tag or digest. Not for <c>scratch</c>, a stage named earlier in the file, or an
/// image that is a variable (<c>FROM ${IMAGE}</c>).
/// </summary>
public sealed class PinBaseImage : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in context.File.Stages)
        {
            var raw = stage.From.Body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0];
            var image = ImageReference.Parse(raw);
            var untagged = image.Tag is null && image.Digest is null && image.Repository != "scratch" && !raw.StartsWith('$') && !aliases.Contains(image.Repository);
            if (stage.Name is not null)
                aliases.Add(stage.From.Body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[2]);
            if (untagged)
            {
                yield return context.Finding("DL3006", Severity.Warning, stage.From.Line, $"base image {raw} is not pinned",
                    $"FROM {raw}: without a tag the image is :latest, which changes under you between builds", "pin a version tag (node:22-alpine) or a digest");
            }
        }
    }
}
