using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// hadolint DL4006: a RUN with a pipe while the SHELL is not bash, zsh or ash with <c>-o pipefail</c> (a failing
/// command before the pipe does not fail the build). Each FROM resets it; pwsh, powershell and cmd are left alone.
/// </summary>
public sealed class PipefailBeforePipe : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        var safe = false;
        foreach (var instruction in context.File.Instructions)
        {
            switch (instruction.Keyword)
            {
                case "FROM":
                    safe = false;
                    break;
                case "SHELL":
                    var shell = instruction.ExecForm is { } words ? string.Join(' ', words) : instruction.Body;
                    safe = shell.StartsWith("pwsh", StringComparison.Ordinal) || shell.StartsWith("powershell", StringComparison.Ordinal) || shell.StartsWith("cmd", StringComparison.Ordinal)
                        || ShellScript.Parse(shell).Commands.Any(c => c.Name.Split('/')[^1] is "bash" or "zsh" or "ash" && c.HasFlag("o") && c.Arguments.Any(a => a.Value == "pipefail"));
                    break;
                case "RUN" when !safe && DockerfileContext.Script(instruction).Script.HasPipe:
                    yield return context.Finding("DL4006", Severity.Warning, instruction.Line, "a pipe without pipefail",
                        "RUN with a pipe under /bin/sh: only the last command's status counts, so a failed download piped into another command still passes the build",
                        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before it (SHELL [\"/bin/ash\", \"-o\", \"pipefail\", \"-c\"] on alpine)");
                    break;
            }
        }
    }
}
