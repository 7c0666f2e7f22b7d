using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>A Node image with no init process (tini, dumb-init): node runs as PID 1, which neither reaps zombies nor handles signals by default.</summary>
public sealed class NodeInit : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        if (context.Final is not { } final || !DockerfileContext.IsNode(final)
            || final.Lineage().SelectMany(s => s.Instructions).Any(i => i.Arguments.Contains("tini", StringComparison.Ordinal) || i.Arguments.Contains("dumb-init", StringComparison.Ordinal)))
            yield break;
        yield return context.Finding("node-init", Severity.Info, final.From.Line, "node runs as PID 1",
            "Node is not designed to be PID 1: it neither reaps zombies nor handles signals by default",
            "docker run --init / compose init: true, or ENTRYPOINT [\"tini\", \"--\"]", DockerfileContext.NodeBestPractices);
    }
}
