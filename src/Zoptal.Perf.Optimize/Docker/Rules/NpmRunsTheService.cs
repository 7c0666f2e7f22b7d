using System.Text.RegularExpressions;
using Zoptal.Perf.Core;

namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>A Node image whose command is <c>npm start</c> / <c>npm run …</c> (yarn, pnpm too): the package manager does not forward SIGTERM.</summary>
public sealed partial class NpmRunsTheService : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        if (context.Final is not { } final || !DockerfileContext.IsNode(final))
            yield break;
        var command = final.Instructions.LastOrDefault(i => i.Keyword == "CMD");
        var text = command is null ? "" : command.ExecForm is { } exec ? string.Join(' ', exec) : command.Body;
        if (command is not null && PackageManagerRun().IsMatch(text))
        {
            yield return context.Finding("cmd-node-not-npm", Severity.Warning, command.Line, "npm runs the service",
                $"CMD {command.Body}: npm does not forward SIGTERM, so stops wait for the kill timeout and drop requests in flight",
                "CMD [\"node\", \"<entry file>\"] (the script npm start runs)", DockerfileContext.NodeBestPractices);
        }
    }

    [GeneratedRegex(@"^\s*(npm|yarn|pnpm)\s+(start|run(\s|$))")]
    private static partial Regex PackageManagerRun();
}
