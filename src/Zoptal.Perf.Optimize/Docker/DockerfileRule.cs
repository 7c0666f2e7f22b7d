using System.Text.RegularExpressions;
using Zoptal.Perf.Core;
using Zoptal.Perf.Optimize.Docker.Rules;

namespace Zoptal.Perf.Optimize.Docker;

/// <summary>One check of a Dockerfile: hadolint's rules under their ids, and the Node images' best practices.</summary>
public interface IDockerfileRule
{
    IEnumerable<Finding> Check(DockerfileContext context);
}

/// <summary>A RUN's shell script and where its words sit in the file (null where they cannot be placed: a here-document, the exec form).</summary>
public sealed record RunScript(DockerInstruction Instruction, ShellScript Script, Func<ShellWord, (int Start, int End)?> FileSpan);

/// <summary>What the rules read: the parsed file, its path, the folder it is in, and what kind of image it builds.</summary>
public sealed partial class DockerfileContext
{
    public const string HadolintLink = "https://github.com/hadolint/hadolint#rules";
    public const string NodeBestPractices = "https://github.com/nodejs/docker-node/blob/main/docs/BestPractices.md";

    public DockerfileContext(string relativePath, Dockerfile file, string? folder)
    {
        RelativePath = relativePath;
        File = file;
        Folder = folder;
    }

    public string RelativePath { get; }

    public Dockerfile File { get; }

    /// <summary>The absolute folder of the Dockerfile (its build context by default), or null when not on disk.</summary>
    public string? Folder { get; }

    /// <summary>The stage <c>docker build</c> produces without <c>--target</c>.</summary>
    public DockerStage? Final => File.Stages.Count == 0 ? null : File.Stages[^1];

    /// <summary>A finding of this file.</summary>
    public Finding Finding(string ruleId, Severity severity, int? line, string title, string evidence, string recommendation, string link = HadolintLink) =>
        new(ruleId, Area.Docker, severity, RelativePath, line, title, evidence, recommendation, link);

    /// <summary>True for a stage whose base image is Node.js (the official node images, distroless nodejs).</summary>
    public static bool IsNode(DockerStage stage) => stage.BaseImage.Name == "node" || stage.BaseImage.Name.StartsWith("nodejs", StringComparison.Ordinal);

    /// <summary>
    /// Why the image is for development or tests, not production (file name, final stage's name, a command that runs a
    /// dev server or tests), or null. Production settings (NODE_ENV=production) never go into such images.
    /// </summary>
    public string? DevelopmentImage()
    {
        var name = Path.GetFileName(RelativePath).ToLowerInvariant();
        if (DevName().IsMatch(name))
            return $"the file name {Path.GetFileName(RelativePath)} says it is a development or test image";
        if (Final?.Name is { } stage && DevStage().IsMatch(stage))
            return $"the final stage is named {stage}";
        var command = Final?.Lineage().SelectMany(s => s.Instructions).LastOrDefault(i => i.Keyword is "CMD" or "ENTRYPOINT");
        if (command is not null && DevCommand().IsMatch(command.ExecForm is { } exec ? string.Join(' ', exec) : command.Body))
            return $"its {command.Keyword} (line {command.Line}) runs a development server or tests";
        return null;
    }

    /// <summary>The shell scripts of a stage's RUN instructions (ONBUILD's deferred RUNs are not run in this image).</summary>
    public static IEnumerable<RunScript> Runs(IEnumerable<DockerInstruction> instructions) =>
        instructions.Where(i => i.Keyword == "RUN").Select(Script);

    /// <summary>The shell script of a RUN (its here-document when the command is only that, its exec form's words joined).</summary>
    public static RunScript Script(DockerInstruction run)
    {
        if (run.ExecForm is { } exec)
            return new RunScript(run, ShellScript.Parse(string.Join(' ', exec)), _ => null);
        if (run.Heredocs.Count > 0 && HeredocOnly().IsMatch(run.Body))
        {
            var body = run.Heredocs[0].Body;
            return new RunScript(run, ShellScript.Parse(body.StartsWith("#!", StringComparison.Ordinal) && !ShellShebang().IsMatch(body) ? "" : body), _ => null);
        }

        return new RunScript(run, ShellScript.Parse(run.Body), w =>
            run.FileSpan(run.BodyStart + w.Start, run.BodyStart + w.End) is { } span && run.Arguments[(run.BodyStart + w.Start)..(run.BodyStart + w.End)] == w.Value ? span : null);
    }

    /// <summary>Quotes around a whole value dropped, as hadolint's dropQuotes does.</summary>
    public static string DropQuotes(string value) => value.Trim('"', '\'');

    [GeneratedRegex(@"(^|[._-])(dev|develop|development|test|tests|testing|ci|debug|local|e2e)([._-]|$)")]
    private static partial Regex DevName();

    [GeneratedRegex(@"^(dev|develop|development|test|tests|testing|debug|local|e2e|ci)([_-].*)?$")]
    private static partial Regex DevStage();

    // npm run dev, yarn dev, pnpm --filter @app/web dev: a package manager and, among its words, a development script
    [GeneratedRegex(@"\b(npm|yarn|pnpm|bun)\b[^;&|]*?\s(dev|develop|watch|test|start:dev|serve:dev|dev:\S+)(?=\s|$)|\bnodemon\b|\bnext\s+dev\b|\bts-node-dev\b|\btsx\s+watch\b|--watch\b|\bjest\b|\bvitest\b|\bvite(\s|$)(?!build)")]
    private static partial Regex DevCommand();

    [GeneratedRegex(@"^\s*\d*<<-?[""']?[A-Za-z_][\w.-]*[""']?\s*$")]
    private static partial Regex HeredocOnly();

    [GeneratedRegex(@"^#!\s*/(usr/)?bin/(env\s+)?(sh|bash|ash|dash|zsh)\b")]
    private static partial Regex ShellShebang();
}

/// <summary>The Dockerfile rules, in the order their findings are listed.</summary>
public static class DockerfileRules
{
    /// <summary>Every rule Optimize runs on a Dockerfile.</summary>
    public static IReadOnlyList<IDockerfileRule> Default { get; } =
    [
        new PinBaseImage(), new NoLatestTag(), new LastUserNotRoot(), new JsonCommand(), new HealthcheckMissing(), new CopyNotAdd(), new MaintainerDeprecated(),
        new AbsoluteWorkdir(), new PipefailBeforePipe(), new PinNpmPackages(), new PinApkPackages(), new ConsecutiveRuns(), new DockerignoreMissing(),
        new NpmFlags(), new NodeEnvProduction(), new NpmCi(), new NpmRunsTheService(), new NodeUser(), new NodeInit(), new MultiStage(),
    ];

    /// <summary>The findings of every rule; a file BuildKit would refuse (or this parser cannot follow) is one finding, with its line.</summary>
    public static IReadOnlyList<Finding> Check(string relativePath, string text, string? folder = null, IReadOnlyList<IDockerfileRule>? rules = null)
    {
        Dockerfile file;
        try
        {
            file = Dockerfile.Parse(text);
        }
        catch (DockerfileSyntaxException e)
        {
            return [new Finding("dockerfile-unreadable", Area.Docker, Severity.Info, relativePath, e.Line, "not read: the Dockerfile does not parse",
                $"line {e.Line}: {e.Message}", "fix the file (docker build refuses it too); nothing was changed", "https://docs.docker.com/reference/dockerfile/")];
        }

        var context = new DockerfileContext(relativePath, file, folder);
        return [.. (rules ?? Default).SelectMany(r => r.Check(context))];
    }
}
