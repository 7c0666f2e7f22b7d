using System.Text.RegularExpressions;
using Zoptal.Perf.Core;

namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>A single-stage Node image that also builds (npm run build, tsc, next build): compilers, devDependencies and sources ship with it.</summary>
public sealed partial class MultiStage : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        if (context.File.Stages.Count != 1 || !DockerfileContext.IsNode(context.File.Stages[0]))
            yield break;
        var build = context.File.Stages[0].Instructions.FirstOrDefault(i => i.Keyword == "RUN" && BuildStep().IsMatch(i.Arguments));
        if (build is not null)
        {
            yield return context.Finding("multi-stage", Severity.Info, build.Line, "build and runtime share one stage",
                "the image keeps compilers, devDependencies and sources the service does not need at run time",
                "build in a first stage, COPY --from it the output and production dependencies", DockerfileContext.NodeBestPractices);
        }
    }

    [GeneratedRegex(@"\b(npm run build|yarn build|pnpm build|pnpm run build|tsc|next build)\b")]
    private static partial Regex BuildStep();
}
