using System.Text.RegularExpressions;
using Zoptal.Perf.Core;

namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// hadolint DL3025: CMD, ENTRYPOINT and HEALTHCHECK CMD in the shell form (<c>/bin/sh -c</c> becomes PID 1 and does
/// not pass SIGTERM on). Patched only where the JSON form means the same: the final stage's one-line CMD of plain
/// words, no variables, quotes, operators or shell builtins, in a stage without its own SHELL.
/// </summary>
public sealed partial class JsonCommand : IDockerfileRule
{
    private static readonly HashSet<string> Builtins =
        ["exec", "cd", "source", ".", "export", "set", "eval", "ulimit", "umask", "trap", "test", "[", "true", "false", ":", "command", "builtin", "alias", "unset", "read", "wait", "if", "for", "while", "until", "case"];

    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        foreach (var stage in context.File.Stages)
        {
            foreach (var instruction in stage.Instructions)
            {
                var shellForm = instruction.Keyword is "CMD" or "ENTRYPOINT" && instruction.ExecForm is null && instruction.Body.Length > 0
                    || instruction.Keyword == "HEALTHCHECK" && HealthcheckCmd().Match(instruction.Body) is { Success: true } m && !m.Groups[1].Value.TrimStart().StartsWith('[');
                if (!shellForm)
                    continue;
                var finding = context.Finding("DL3025", Severity.Warning, instruction.Line, $"{instruction.Keyword} in the shell form",
                    $"{instruction.Keyword} {instruction.Body}: /bin/sh -c runs it, so the shell is PID 1 and SIGTERM does not reach the process; stops wait for the kill timeout",
                    instruction.Keyword == "HEALTHCHECK" ? "HEALTHCHECK CMD [\"executable\", \"arg\"]" : $"the JSON form: {instruction.Keyword} [\"node\", \"server.js\"]");
                yield return Patch(context, stage, instruction) is { } edit ? finding with { Edits = [edit] } : finding;
            }
        }
    }

    private static TextEdit? Patch(DockerfileContext context, DockerStage stage, DockerInstruction instruction)
    {
        if (instruction.Keyword != "CMD" || stage != context.Final || instruction.Line != instruction.LastLine || !PlainWords().IsMatch(instruction.Body)
            || stage.Lineage().SelectMany(s => s.Instructions).Any(i => i.Keyword == "SHELL"))
            return null;
        var words = instruction.Body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (Builtins.Contains(words[0]) || words[0].Contains('=', StringComparison.Ordinal))
            return null;
        var span = instruction.FileSpan(instruction.BodyStart, instruction.Arguments.Length);
        return span is { } s ? new TextEdit(s.Start, s.End, "[" + string.Join(", ", words.Select(w => $"\"{w}\"")) + "]") : null;
    }

    [GeneratedRegex(@"^(?:--\S+\s+)*CMD\s+(.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex HealthcheckCmd();

    [GeneratedRegex(@"^[A-Za-z0-9_./:@%+,=-]+( +[A-Za-z0-9_./:@%+,=-]+)*$")]
    private static partial Regex PlainWords();
}
