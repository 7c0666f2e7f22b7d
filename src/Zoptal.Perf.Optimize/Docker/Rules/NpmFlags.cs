using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// npm's dependency flags in RUN: <c>--omit-dev</c> is a typo npm ignores (devDependencies are installed), and
/// <c>--production</c> / <c>--only=prod</c> are deprecated for <c>--omit=dev</c> (npm 7+). Only npm commands
/// (yarn's and pnpm's <c>--production</c> are theirs), only the exact flag (<c>--production=false</c> means the
/// opposite), and patched only where npm understands <c>--omit</c>: node images from 16 on (or tagged by name: lts, current).
/// </summary>
public sealed class NpmFlags : IDockerfileRule
{
    private const string Link = "https://docs.npmjs.com/cli/commands/npm-ci#omit";
    private static readonly HashSet<string> Subcommands = ["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add", "ci", "clean-install", "install-clean", "update", "up", "prune"];

    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        foreach (var stage in context.File.Stages)
        {
            var npmVersionKnown = DockerfileContext.IsNode(stage) && stage.BaseImage.MajorVersion is not < 16;
            foreach (var run in DockerfileContext.Runs(stage.Instructions))
            {
                foreach (var command in run.Script.Commands.Where(c => c.Name == "npm" && c.ArgsNoFlags().FirstOrDefault()?.Value is { } sub && Subcommands.Contains(sub)))
                {
                    foreach (var word in command.Arguments)
                    {
                        var (id, severity, title, evidence) = word.Value switch
                        {
                            "--omit-dev" => ("npm-omit-dev-typo", Severity.Warning, "npm flag --omit-dev is a typo",
                                "npm reads --omit-dev as an unknown config: devDependencies are still installed unless NODE_ENV=production (zereight/gitlab-mcp#427)"),
                            "--production" or "--production=true" or "--only=prod" or "--only=production" => ("npm-production-deprecated", Severity.Info, $"npm's {word.Value} is deprecated",
                                $"npm 7+ reads {word.Value} as --omit=dev and warns; later versions drop it (npm/cli#8025)"),
                            _ => (null, Severity.Info, "", ""),
                        };
                        if (id is null)
                            continue;
                        var finding = context.Finding(id, severity, run.Instruction.Line, title, evidence, "write --omit=dev", Link);
                        if (!npmVersionKnown)
                        {
                            yield return finding with { Evidence = evidence + $"; not patched: the stage's image {stage.BaseImage.Repository}:{stage.BaseImage.Tag ?? "latest"} may carry an npm older than 7, which does not know --omit" };
                            continue;
                        }

                        yield return run.FileSpan(word) is { } span ? finding with { Edits = [new TextEdit(span.Start, span.End, "--omit=dev")] } : finding;
                    }
                }
            }
        }
    }
}
