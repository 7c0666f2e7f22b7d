using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// hadolint DL3059: a RUN right after another RUN (comments between them do not count) with the same flags, when
/// neither chains several commands (chaining says the split was deliberate).
/// </summary>
public sealed class ConsecutiveRuns : IDockerfileRule
{
    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        (string Flags, int Commands)? previous = null;
        foreach (var instruction in context.File.Instructions)
        {
            if (instruction.Keyword != "RUN")
            {
                previous = null;
                continue;
            }

            var flags = string.Join(' ', instruction.Flags.Select(f => $"{f.Name}={f.Value}"));
            var commands = DockerfileContext.Script(instruction).Script.Commands.Count;
            if (previous is { } p && p.Flags == flags && commands <= 1 && p.Commands <= 1)
            {
                yield return context.Finding("DL3059", Severity.Info, instruction.Line, "consecutive RUN instructions",
                    $"RUN at line {instruction.Line} follows another single-command RUN: each RUN is a layer", "join them with && in one RUN");
            }

            previous = (flags, commands);
        }
    }
}
