using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// A final stage on an official node image with no USER at all (the image ships the user <c>node</c>). Advice, not a
/// patch: files copied without <c>--chown</c> stay root's, and an app that writes beside them would fail at run time.
/// </summary>
public sealed class NodeUser : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        if (context.Final is not { } final || !final.BaseImage.IsOfficial("node") || final.Lineage().SelectMany(s => s.Instructions).Any(i => i.Keyword == "USER"))
            yield break;
        if (final.Lineage().SelectMany(s => s.Instructions).Any(i => i.Arguments.Contains("gosu", StringComparison.Ordinal) || i.Arguments.Contains("su-exec", StringComparison.Ordinal)))
            yield break; // an entrypoint that drops privileges itself
        yield return context.Finding("node-user", Severity.Warning, final.From.Line, "the container runs as root",
            $"the final stage (FROM {final.Image}) has no USER: the service runs as root",
            "USER node before CMD (the node images ship that user), with COPY --chown=node:node for anything the app writes", DockerfileContext.NodeBestPractices);
    }
}
