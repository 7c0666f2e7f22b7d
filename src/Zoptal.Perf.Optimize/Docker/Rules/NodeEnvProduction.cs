using System.Text.RegularExpressions;
using Zoptal.Perf.Core;

namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// <c>NODE_ENV=production</c> in a Node image's final stage (Express and many libraries take slower development
/// paths without it). Placed after the stage's last RUN, so npm install and the build before it still get their
/// devDependencies (typescript, vite, tailwind); never in development or test images, never in an image with no
/// CMD or ENTRYPOINT (a base or sandbox image), never where the stage or the stages it builds on already set
/// NODE_ENV (ENV or ARG), or its command does.
/// </summary>
public sealed partial class NodeEnvProduction : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        if (context.Final is not { } final || !DockerfileContext.IsNode(final) || context.DevelopmentImage() is not null)
            yield break;
        var lineage = final.Lineage().SelectMany(s => s.Instructions).ToList();
        // No CMD or ENTRYPOINT: a base, tooling or sandbox image (e2b templates); what runs in it, and how, is not known.
        if (!lineage.Any(i => i.Keyword is "CMD" or "ENTRYPOINT"))
            yield break;
        if (lineage.Any(i => i.Keyword is "ENV" or "ARG" or "CMD" or "ENTRYPOINT" && NodeEnv().IsMatch(i.Arguments)))
            yield break;
        var lastRun = final.Instructions.LastOrDefault(i => i.Keyword == "RUN");
        var after = lastRun ?? final.From;
        var file = context.File;
        var newline = file.NewLine;
        var at = file.AfterLine(after.LastLine);
        var text = at == file.Text.Length && !file.Text.EndsWith('\n') ? newline + "ENV NODE_ENV=production" : "ENV NODE_ENV=production" + newline;
        yield return context.Finding("node-env-production", Severity.Warning, final.From.Line, "NODE_ENV is not production",
            $"the final stage (FROM {final.Image}, line {final.From.Line}) does not set NODE_ENV: Express and many libraries run their slower development paths; "
            + (lastRun is null ? "the stage runs nothing, so ENV goes right after FROM" : $"ENV goes after the stage's last RUN (line {lastRun.Line}), so the installs and builds before it keep their devDependencies"),
            "ENV NODE_ENV=production", DockerfileContext.NodeBestPractices) with
        { Edits = [TextEdit.Insert(at, text)] };
    }

    [GeneratedRegex(@"\bNODE_ENV\b")]
    private static partial Regex NodeEnv();
}
