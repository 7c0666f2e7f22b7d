using System.Text.RegularExpressions;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>One instruction of a Dockerfile: its keyword, arguments (continuations joined) and first line.</summary>
public sealed record Instruction(string Keyword, string Arguments, int Line, int LastLine);

/// <summary>
/// hadolint's rules that change image size or runtime, and the Node images' best practices
/// (nodejs/docker-node BestPractices.md). Patches only where the fix is unambiguous: npm's flags, NODE_ENV, the
/// non-root user of node images, JSON-form CMD for a plain <c>node</c> command.
/// </summary>
public static partial class DockerfileRules
{
    private const string Hadolint = "https://github.com/hadolint/hadolint#rules";
    private const string NodeBestPractices = "https://github.com/nodejs/docker-node/blob/main/docs/BestPractices.md";

    /// <summary>The instructions, with backslash continuations joined and comments skipped.</summary>
    public static IReadOnlyList<Instruction> Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var result = new List<Instruction>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var start = i;
            var joined = line;
            while (joined.EndsWith('\\') && i + 1 < lines.Count)
                joined = joined[..^1].TrimEnd() + " " + lines[++i].Trim();
            var space = joined.IndexOfAny([' ', '\t']);
            result.Add(new Instruction(space < 0 ? joined.ToUpperInvariant() : joined[..space].ToUpperInvariant(), space < 0 ? "" : joined[(space + 1)..].Trim(), start + 1, i + 1));
        }

        return result;
    }

    public static IReadOnlyList<Finding> Check(string relativePath, string text)
    {
        var instructions = Parse(text);
        var findings = new List<Finding>();
        var lines = text.Split('\n').ToList();
        var froms = instructions.Where(i => i.Keyword == "FROM").ToList();
        if (froms.Count == 0)
            return findings;
        var final = froms[^1];
        var finalStage = instructions.Where(i => i.Line >= final.Line).ToList();
        var image = final.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var node = froms.Any(f => f.Arguments.StartsWith("node", StringComparison.OrdinalIgnoreCase));
        var edits = new List<(int Line, string? Replace, string? InsertBefore)>();

        foreach (var from in froms)
        {
            var reference = from.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            if (reference.Equals("scratch", StringComparison.OrdinalIgnoreCase) || froms.Any(f => f.Arguments.EndsWith(" AS " + reference, StringComparison.OrdinalIgnoreCase)))
                continue;
            var tag = reference.Contains('@') ? "digest" : reference.LastIndexOf(':') > reference.LastIndexOf('/') ? reference[(reference.LastIndexOf(':') + 1)..] : null;
            if (tag is null or "latest")
            {
                findings.Add(new Finding(tag is null ? "DL3006" : "DL3007", Area.Docker, Severity.Warning, relativePath, from.Line,
                    $"base image {reference} is not pinned", $"FROM {reference}: {(tag is null ? "no tag" : "the latest tag")} changes under you between builds",
                    "pin a version tag (node:22-alpine) or a digest", Hadolint));
            }
        }

        foreach (var run in instructions.Where(i => i.Keyword == "RUN"))
        {
            if (OmitDevTypo().IsMatch(run.Arguments))
            {
                findings.Add(new Finding("npm-omit-dev-typo", Area.Docker, Severity.Warning, relativePath, run.Line, "npm flag --omit-dev is a typo",
                    "npm reads --omit-dev as an unknown config: devDependencies are still installed unless NODE_ENV=production (zereight/gitlab-mcp#427)",
                    "write --omit=dev", "https://docs.npmjs.com/cli/commands/npm-ci#omit"));
                edits.Add((run.Line, OmitDevTypo().Replace(lines[run.Line - 1], "--omit=dev"), null));
            }
            else if (Production().IsMatch(run.Arguments) && run.Arguments.Contains("npm", StringComparison.Ordinal))
            {
                findings.Add(new Finding("npm-production-deprecated", Area.Docker, Severity.Info, relativePath, run.Line, "npm's --production is deprecated",
                    "npm 9+ warns and will drop it (npm/cli#8025)", "write --omit=dev", "https://docs.npmjs.com/cli/commands/npm-ci#omit"));
                edits.Add((run.Line, Production().Replace(lines[run.Line - 1], "--omit=dev"), null));
            }
            else if (NpmInstall().IsMatch(run.Arguments) && froms.Count == 1)
            {
                findings.Add(new Finding("npm-ci", Area.Docker, Severity.Info, relativePath, run.Line, "npm install in the image",
                    $"RUN {run.Arguments}: npm install may change the lock file and installs devDependencies", "use npm ci --omit=dev (in the final stage)", NodeBestPractices));
            }
        }

        if (node && !finalStage.Any(i => i.Keyword == "ENV" && i.Arguments.Contains("NODE_ENV", StringComparison.Ordinal)))
        {
            findings.Add(new Finding("node-env-production", Area.Docker, Severity.Warning, relativePath, final.Line, "NODE_ENV is not production",
                "the final stage does not set NODE_ENV: Express and many libraries run their slower development paths", "ENV NODE_ENV=production", NodeBestPractices));
            edits.Add((final.LastLine + 1, null, "ENV NODE_ENV=production"));
        }

        if (!finalStage.Any(i => i.Keyword == "USER") && !image.StartsWith("gcr.io/distroless", StringComparison.Ordinal))
        {
            var command = finalStage.LastOrDefault(i => i.Keyword is "CMD" or "ENTRYPOINT");
            findings.Add(new Finding("DL3002", Area.Docker, Severity.Warning, relativePath, final.Line, "the container runs as root",
                "the final stage has no USER instruction", node ? "USER node (the node images ship that user)" : "add a non-root USER", Hadolint));
            if (node && command is not null)
                edits.Add((command.Line, null, "USER node"));
        }

        var cmd = finalStage.LastOrDefault(i => i.Keyword == "CMD");
        if (cmd is not null)
        {
            var json = cmd.Arguments.StartsWith('[');
            if (cmd.Arguments.Contains("npm", StringComparison.Ordinal) && (cmd.Arguments.Contains("start", StringComparison.Ordinal) || cmd.Arguments.Contains("run", StringComparison.Ordinal)))
            {
                findings.Add(new Finding("cmd-node-not-npm", Area.Docker, Severity.Warning, relativePath, cmd.Line, "npm runs the service",
                    $"CMD {cmd.Arguments}: npm does not forward SIGTERM, so stops wait for the kill timeout and drop requests in flight",
                    "CMD [\"node\", \"<entry file>\"] (the script npm start runs)", NodeBestPractices));
            }
            else if (!json)
            {
                findings.Add(new Finding("DL3025", Area.Docker, Severity.Warning, relativePath, cmd.Line, "CMD in shell form",
                    $"CMD {cmd.Arguments}: /bin/sh -c becomes PID 1 and swallows signals", "JSON form: CMD [\"node\", \"server.js\"]", Hadolint));
                if (cmd.Line == cmd.LastLine && PlainCommand().IsMatch(cmd.Arguments))
                {
                    var parts = cmd.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => $"\"{p}\"");
                    edits.Add((cmd.Line, Regex.Replace(lines[cmd.Line - 1], @"CMD\s+.*", $"CMD [{string.Join(", ", parts)}]", RegexOptions.IgnoreCase), null));
                }
            }
        }

        if (!finalStage.Any(i => i.Keyword == "HEALTHCHECK"))
        {
            findings.Add(new Finding("DL3057", Area.Docker, Severity.Info, relativePath, final.Line, "no HEALTHCHECK",
                "hadolint ignores DL3057 by default; an orchestrator without a health check routes traffic to a container that is up but not ready",
                "HEALTHCHECK CMD wget -qO- http://127.0.0.1:3000/health || exit 1 (or a compose healthcheck)", Hadolint));
        }

        if (froms.Count == 1 && instructions.Any(i => i.Keyword == "RUN" && BuildStep().IsMatch(i.Arguments)))
        {
            findings.Add(new Finding("multi-stage", Area.Docker, Severity.Info, relativePath, final.Line, "build and runtime share one stage",
                "the image keeps compilers, devDependencies and sources the service does not need at run time", "build in a first stage, COPY --from it the output and production dependencies", NodeBestPractices));
        }

        if (node && !instructions.Any(i => i.Arguments.Contains("tini", StringComparison.Ordinal) || i.Arguments.Contains("dumb-init", StringComparison.Ordinal)))
        {
            findings.Add(new Finding("node-init", Area.Docker, Severity.Info, relativePath, final.Line, "node runs as PID 1",
                "Node is not designed to be PID 1: it neither reaps zombies nor handles signals by default", "run with --init / compose init: true, or ENTRYPOINT [\"tini\", \"--\"]", NodeBestPractices));
        }

        if (edits.Count == 0)
            return findings;
        var patched = lines.ToList();
        // Replacements keep the line numbers; then insertions, from the bottom up, so each lands where it was meant to.
        foreach (var (line, replace, _) in edits.Where(e => e.Replace is not null))
            patched[line - 1] = replace!;
        foreach (var (line, _, insert) in edits.Where(e => e.InsertBefore is not null).OrderByDescending(e => e.Line))
            patched.Insert(Math.Min(line - 1, patched.Count), insert + (text.Contains("\r\n", StringComparison.Ordinal) ? "\r" : ""));

        var patch = new FilePatch(relativePath, text, string.Join('\n', patched));
        var patchable = new HashSet<string> { "npm-omit-dev-typo", "npm-production-deprecated", "node-env-production", "DL3025" };
        return [.. findings.Select(f => patchable.Contains(f.RuleId) || (f.RuleId == "DL3002" && node && edits.Any(e => e.InsertBefore == "USER node")) ? f with { Patch = patch } : f)];
    }

    [GeneratedRegex(@"--omit-dev\b")]
    private static partial Regex OmitDevTypo();

    [GeneratedRegex(@"--production\b|--only=prod(uction)?\b")]
    private static partial Regex Production();

    [GeneratedRegex(@"\bnpm (install|i)\b")]
    private static partial Regex NpmInstall();

    [GeneratedRegex(@"^[A-Za-z0-9_./\-]+( [A-Za-z0-9_./\-=]+)*$")]
    private static partial Regex PlainCommand();

    [GeneratedRegex(@"\b(npm run build|yarn build|tsc|next build)\b")]
    private static partial Regex BuildStep();
}
