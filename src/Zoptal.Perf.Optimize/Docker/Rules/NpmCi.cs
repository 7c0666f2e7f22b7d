using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>A single-stage Node image that runs a bare <c>npm install</c>: npm ci installs exactly the lock file, and faster.</summary>
public sealed class NpmCi : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        if (context.File.Stages.Count != 1 || !DockerfileContext.IsNode(context.File.Stages[0]))
            yield break;
        foreach (var run in DockerfileContext.Runs(context.File.Stages[0].Instructions))
        {
            if (run.Script.Commands.Any(c => c.Name == "npm" && c.ArgsNoFlags() is [{ Value: "install" or "i" }]))
            {
                yield return context.Finding("npm-ci", Severity.Info, run.Instruction.Line, "npm install in the image",
                    $"RUN {run.Instruction.Body}: npm install may update the lock file's resolutions and installs devDependencies", "npm ci --omit=dev (in the stage that runs the service)", DockerfileContext.NodeBestPractices);
            }
        }
    }
}
