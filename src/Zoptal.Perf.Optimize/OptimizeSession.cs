using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.IO;
using Zoptal.Perf.Optimize.Docker;
using Zoptal.Perf.Optimize.Files;
using Zoptal.Perf.Optimize.Js;
using Zoptal.Perf.Optimize.Patching;
using Zoptal.Perf.Optimize.Postgres;
using Zoptal.Perf.Optimize.Targets;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Optimize;

/// <summary>What Optimize is asked to do.</summary>
public sealed record OptimizeRequest(string Root, OptimizeConfig Config, string ResultsRoot, DateTimeOffset Now)
{
    /// <summary>The areas to look at (<c>--areas</c>); all by default.</summary>
    public IReadOnlySet<Area> Areas { get; init; } = Enum.GetValues<Area>().ToHashSet();

    /// <summary><c>--apply</c>: write the patches (a dry run shows them).</summary>
    public bool Apply { get; init; }

    /// <summary>The config's database: its live settings are compared too (read-only); null skips them.</summary>
    public DatabaseConfig? Database { get; init; }

    /// <summary>The secrets masked in the report (never in the patched files); null: the process's shared masker.</summary>
    public Zoptal.Perf.Core.Secrets.SecretMasker? Masker { get; init; }
}

/// <summary>What Optimize found and did.</summary>
public sealed record OptimizeOutcome(IReadOnlyList<string> Files, IReadOnlyList<Finding> Findings, IReadOnlyList<FilePatch> Patches, string ReportPath, string? BackupPath)
{
    /// <summary>The diffs, one per patched file.</summary>
    public IEnumerable<string> Diffs => Patches.Select(p => UnifiedDiff.Create(p.RelativePath, p.Original, p.Updated));

    /// <summary>The lines the target logs: the files read, every finding (most severe first), the diffs, the report, what was applied or proposed.</summary>
    public IEnumerable<string> Describe(string root)
    {
        yield return $"read {Files.Count} files: {string.Join(", ", Files.Take(12))}{(Files.Count > 12 ? ", ..." : "")}";
        foreach (var finding in Findings.OrderByDescending(f => f.Severity))
        {
            var state = finding.Patch is not null ? " (patched)" : finding.NotPatched is { } why ? $" ({why})" : "";
            yield return $"{finding.Severity.ToString().ToLowerInvariant(),-8} {finding.RuleId,-28} {finding.File}{(finding.Line is { } l ? $":{l}" : "")}  {finding.Title}{state}";
        }

        foreach (var diff in Diffs)
            yield return diff.TrimEnd();
        yield return $"report: {Path.GetRelativePath(root, ReportPath)}";
        if (BackupPath is { } backups)
            yield return $"applied {Patches.Count} patches; originals in {Path.GetRelativePath(root, backups)}";
        else if (Patches.Count > 0)
            yield return $"{Patches.Count} patches proposed; ./build.sh Optimize --apply writes them";
    }
}

/// <summary>
/// Optimize: reads the files the config's globs find, runs the rules of the chosen areas with each file's target
/// machine, composes each file's edits into one patch that is checked (parsed again) before it is offered, writes
/// <c>optimization-report-&lt;timestamp&gt;.md</c> and <c>.json</c> into the results folder, and with <c>--apply</c>
/// writes the patches (originals backed up first, bytes outside the edits unchanged). One file that cannot be read
/// is a finding naming it; the run goes on. A second apply finds nothing left to change.
/// </summary>
public static partial class OptimizeSession
{
    /// <summary>Where the index migration goes (a fixed name, so a second apply finds it already written).</summary>
    public const string IndexMigrationPath = "zoptal-perf/postgres-indexes.sql";

    /// <summary>Files larger than this are not configuration files; they are reported and skipped.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    private sealed record Input(string Path, FileKind Kind, string Text, TextFormat Format);

    private enum FileKind
    {
        Dockerfile,
        Compose,
        PostgresConf,
        Pm2,
        NextConfig,
    }

    public static OptimizeOutcome Run(OptimizeRequest request)
    {
        var findings = new List<Finding>();
        var discovery = Glob.Discover(request.Root, request.Config.Include, request.Config.Exclude);
        // The default globs are broad on purpose: only the user's own globs that match nothing are worth a word.
        findings.AddRange(discovery.EmptyIncludes.Where(_ => !ReferenceEquals(request.Config.Include, OptimizeConfig.DefaultInclude)).Select(glob => Note("include-matched-nothing", null, $"optimize.include '{glob}' matched no file",
            $"no file under {request.Root} matches {glob} (globs are case-sensitive and relative to the repository root)", "fix the glob or remove it")));
        findings.AddRange(discovery.Links.Select(link => Note("symlink-not-followed", link, "a symbolic link, not read",
            "Optimize reads and writes only regular files inside the repository; a link could lead outside it", "point optimize.include at the file the link names")));
        findings.AddRange(discovery.Unreadable.Select(u => Note("folder-unreadable", u.Folder, "a folder that could not be listed: its files were not read", u.Reason,
            "give the user running Optimize read access to it, or exclude it (optimize.exclude)")));

        var inputs = new List<Input>();
        foreach (var path in discovery.Files)
        {
            if (Kind(Path.GetFileName(path)) is not { } kind)
                continue;
            try
            {
                var full = Path.Combine(request.Root, path);
                var length = new FileInfo(full).Length;
                if (length > MaxFileBytes)
                {
                    findings.Add(Note("file-too-large", path, $"not read: {length / 1048576.0:0.0} MB is not a configuration file", $"files over {MaxFileBytes / 1048576} MB are skipped", "exclude it (optimize.exclude)"));
                    continue;
                }

                var (text, format) = TextFormat.Decode(File.ReadAllBytes(full));
                inputs.Add(new Input(path, kind, text, format));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                findings.Add(Note("file-unreadable", path, "not read", e.Message, "check the file's permissions"));
            }
        }

        var services = new List<ComposeService>();
        var composeErrors = new Dictionary<string, ComposeException>(StringComparer.Ordinal);
        foreach (var compose in inputs.Where(i => i.Kind == FileKind.Compose))
        {
            try
            {
                services.AddRange(ComposeFile.Load(request.Root, compose.Path, compose.Text));
            }
            catch (ComposeException e)
            {
                composeErrors[compose.Path] = e;
            }
        }

        var live = request.Areas.Contains(Area.Postgres) && request.Database is { } database ? LiveServerOf(database, findings) : null;
        var resolver = new TargetResolver(request.Root, request.Config, services, live?.Server);

        foreach (var input in inputs)
        {
            if (!request.Areas.Contains(AreaOf(input.Kind)))
                continue;
            List<Finding> fileFindings;
            try
            {
                fileFindings = [.. Analyse(request, input, services, composeErrors, resolver)];
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                fileFindings = [Note("file-not-analysed", input.Path, "not analysed: a rule failed on this file", $"{e.GetType().Name}: {e.Message}", "nothing was changed; please report the file's pattern")];
            }

            findings.AddRange(Compose(request.Root, input, fileFindings));
        }

        // The newest run, read once: its index advice and the numbers each finding should move.
        var newest = ResultsFolder.TryReadNewest(request.ResultsRoot);
        if (request.Areas.Contains(Area.Postgres))
        {
            findings.AddRange(IndexMigrationFindings(request, newest));
            if (live is not null)
                findings.AddRange(live.Findings(resolver.ForServer(), request.Root));
        }

        if (newest is not null)
        {
            var expected = new Expectations(newest);
            findings = [.. findings.Select(f => f with { Moves = expected.For(f) })];
        }

        var patches = findings.Where(f => f.Patch is not null).Select(f => f.Patch!).DistinctBy(p => p.RelativePath).ToList();
        var files = inputs.Select(i => i.Path).ToList();
        var report = WriteReport(request, files, findings, patches);
        var backup = request.Apply ? PatchWriter.Apply(request.Root, patches, request.Now) : null;
        return new OptimizeOutcome(files, findings, patches, report, backup);
    }

    private static IEnumerable<Finding> Analyse(OptimizeRequest request, Input input, List<ComposeService> services, Dictionary<string, ComposeException> composeErrors, TargetResolver resolver)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(Path.Combine(request.Root, input.Path)));
        switch (input.Kind)
        {
            case FileKind.Dockerfile:
                return DockerfileRules.Check(input.Path, input.Text, folder);
            case FileKind.Compose:
                if (composeErrors.TryGetValue(input.Path, out var error))
                {
                    return [new Finding("compose-unreadable", Area.Docker, Severity.Info, input.Path, error.Line == 0 ? null : error.Line, "not read: the YAML does not parse",
                        error.Message, "fix the file (docker compose refuses it too); nothing was changed", "https://github.com/compose-spec/compose-spec/blob/main/spec.md")];
                }

                return ComposeRules.Check(input.Path, [.. services.Where(s => s.File == input.Path)], ComposeRules.IsNode);
            case FileKind.PostgresConf:
                return PostgresRules.ForFile(request.Root, input.Path, input.Text, resolver.ForFile(input.Path, input.Text, postgres: true));
            case FileKind.Pm2:
            case FileKind.NextConfig:
                var flavor = NextJsRules.Flavor(request.Root, input.Path);
                var config = JsConfig.Parse(input.Text, flavor, out var parseError);
                var area = AreaOf(input.Kind);
                if (config is null)
                {
                    return [new Finding(input.Kind == FileKind.Pm2 ? "pm2-unreadable" : "nextjs-unreadable", area, Severity.Info, input.Path, null,
                        "not read: the file does not parse", parseError!, "fix the file; nothing was changed", "https://nodejs.org/api/cli.html#-c---check")];
                }

                return input.Kind == FileKind.Pm2
                    ? Pm2Rules.Check(input.Path, config, resolver.ForFile(input.Path, null, postgres: false))
                    : NextJsRules.Check(request.Root, input.Path, config);
            default:
                return [];
        }
    }

    // One file's edits as one patch: overlapping edits of different findings keep the first; the result is parsed
    // again as its kind, and refused (every finding saying why) when it does not parse.
    private static IEnumerable<Finding> Compose(string root, Input input, List<Finding> findings)
    {
        var accepted = new List<TextEdit>();
        var notes = new Dictionary<int, string>();
        for (var i = 0; i < findings.Count; i++)
        {
            var edits = findings[i].Edits.Where(e => !accepted.Contains(e)).ToList();
            var clash = edits.FirstOrDefault(e => accepted.Any(a => a.Overlaps(e)));
            if (clash is not null)
            {
                notes[i] = "not patched: its change overlaps another finding's in this file";
                continue;
            }

            accepted.AddRange(edits);
        }

        if (accepted.Count == 0)
            return findings.Select((f, i) => notes.TryGetValue(i, out var note) ? f with { NotPatched = note } : f);
        var updated = TextEdits.Apply(input.Text, accepted);
        var refusal = Validate(root, input, updated);
        if (refusal is null)
        {
            try
            {
                _ = input.Format.Encode(updated);
            }
            catch (InvalidOperationException e)
            {
                refusal = e.Message;
            }
        }

        var patch = refusal is null && updated != input.Text ? new FilePatch(input.Path, input.Text, updated) { Format = input.Format } : null;
        return findings.Select((f, i) =>
            notes.TryGetValue(i, out var note) ? f with { NotPatched = note }
            : f.Edits.Count == 0 ? f
            : patch is not null ? f with { Patch = patch }
            : f with { NotPatched = $"not patched: {refusal ?? "the change leaves the file as it is"}" });
    }

    private static string? Validate(string root, Input input, string updated)
    {
        switch (input.Kind)
        {
            case FileKind.Dockerfile:
                try
                {
                    var before = Dockerfile.Parse(input.Text);
                    var after = Dockerfile.Parse(updated);
                    return after.Stages.Count == before.Stages.Count ? null : "the patched Dockerfile has a different number of stages";
                }
                catch (DockerfileSyntaxException e)
                {
                    return $"the patched Dockerfile does not parse (line {e.Line}: {e.Message})";
                }

            case FileKind.PostgresConf:
                var original = PostgresConf.Parse(input.Path, input.Text).Entries.Count;
                var patched = PostgresConf.Parse(input.Path, updated);
                return patched.Entries.Count >= original ? null : "the patched file has fewer settings than the original";
            case FileKind.Pm2:
            case FileKind.NextConfig:
                return ScriptCheck.Check(updated, NextJsRules.Flavor(root, input.Path), root, input.Path);
            default:
                return null;
        }
    }

    private static Finding Note(string id, string? file, string title, string evidence, string recommendation) =>
        new(id, Area.Inputs, Severity.Info, file ?? "perf-config.yml", null, title, evidence, recommendation, "docs/optimize.md#inputs");

    private static Area AreaOf(FileKind kind) => kind switch
    {
        FileKind.Dockerfile or FileKind.Compose => Area.Docker,
        FileKind.PostgresConf => Area.Postgres,
        FileKind.Pm2 => Area.Pm2,
        _ => Area.Nextjs,
    };

    private static FileKind? Kind(string name)
    {
        var lower = name.ToLowerInvariant();
        if (lower.EndsWith(".dockerignore", StringComparison.Ordinal))
            return null;
        if (lower == "dockerfile" || lower.StartsWith("dockerfile.", StringComparison.Ordinal) || lower.StartsWith("dockerfile-", StringComparison.Ordinal) || lower.EndsWith(".dockerfile", StringComparison.Ordinal))
            return FileKind.Dockerfile;
        if (ComposeName().IsMatch(lower))
            return FileKind.Compose;
        if (lower == "postgresql.conf" || lower.StartsWith("postgresql.", StringComparison.Ordinal) && lower.EndsWith(".conf", StringComparison.Ordinal) && lower != "postgresql.auto.conf")
            return FileKind.PostgresConf;
        if (lower is "ecosystem.config.js" or "ecosystem.config.cjs" or "ecosystem.config.mjs")
            return FileKind.Pm2;
        if (NextConfigName().IsMatch(lower))
            return FileKind.NextConfig;
        return null;
    }

    // The live server: its version and (when it runs here) its limits, as a target source; its settings as findings.
    private sealed record Live(LiveServer Server, Func<Target, string, IEnumerable<Finding>> Findings);

    private static Live? LiveServerOf(DatabaseConfig database, List<Finding> findings)
    {
        var probe = Zoptal.Perf.Probes.Postgres.PgProbe.Create(database);
        try
        {
            var capabilities = probe.CapabilitiesAsync().GetAwaiter().GetResult();
            var version = PgSettings.FromVersionNum(capabilities.VersionNum);
            Limits? limits = null;
            if (IsLocal(probe.Host))
                limits = LimitsReader.ForProcess(probe.BackendPidAsync().GetAwaiter().GetResult(), "postgres");
            var read = probe.SettingsAsync(PgSettings.All.Keys).GetAwaiter().GetResult();
            var server = probe.Server;
            return new Live(new LiveServer(server, version, limits), (target, root) =>
            {
                var path = Path.Combine(root, PostgresRules.SettingsScript);
                return PostgresRules.ForServer(server, read, File.Exists(path) ? File.ReadAllText(path) : "", target);
            });
        }
        catch (Zoptal.Perf.Core.RunFailedException e)
        {
            findings.Add(new Finding("postgres-unreachable", Area.Postgres, Severity.Info, "perf-config.yml", null, $"PostgreSQL at {probe.Server} was not read", e.Message,
                "check database.connectionString and the password in the environment", "docs/configuration.md"));
            return null;
        }
        finally
        {
            probe.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static bool IsLocal(string host) =>
        host.StartsWith('/') || host is "localhost" || IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);

    // The database analysis of the newest run, when it has one: its index suggestions as a migration file.
    private static IEnumerable<Finding> IndexMigrationFindings(OptimizeRequest request, RunSummary? newest)
    {
        if (newest?.Database is not { } database)
            yield break;
        var statements = new List<string>();
        var findings = new List<Finding>();
        foreach (var finding in database.Findings)
        {
            if (finding.Kind is not ("missing-index" or "analyze") || finding.Suggestion is not { Length: > 0 } sql)
                continue;
            statements.Add(sql);
            findings.Add(new Finding($"postgres-{finding.Kind}", Area.Postgres, finding.Kind == "missing-index" ? Severity.Warning : Severity.Info, IndexMigrationPath, null,
                finding.Title, finding.Evidence, sql, "docs/database-analysis.md"));
        }

        if (statements.Count == 0)
            yield break;
        var text = new StringBuilder("-- Written by ./build.sh Optimize from the database analysis of the newest Benchmark run.\n")
            .Append("-- CREATE INDEX CONCURRENTLY cannot run inside a transaction block: run this file with psql, not in a migration transaction.\n");
        foreach (var statement in statements.Distinct())
            text.Append(statement).Append('\n');
        var target = Path.Combine(request.Root, IndexMigrationPath);
        var original = File.Exists(target) ? File.ReadAllText(target) : "";
        var patch = original == text.ToString() ? null : new FilePatch(IndexMigrationPath, original, text.ToString());
        foreach (var finding in findings)
            yield return finding with { Patch = patch };
    }

    private static string WriteReport(OptimizeRequest request, IReadOnlyList<string> files, IReadOnlyList<Finding> findings, IReadOnlyList<FilePatch> patches)
    {
        Directory.CreateDirectory(request.ResultsRoot);
        var stamp = request.Now.UtcDateTime.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        var markdown = new StringBuilder();
        markdown.Append("# Optimization report\n\n")
            .Append(CultureInfo.InvariantCulture, $"{request.Now.UtcDateTime:yyyy-MM-dd HH:mm} UTC · {files.Count} files read · {findings.Count} findings · {patches.Count} patches ")
            .Append(request.Apply ? "applied" : "proposed (dry run; --apply writes them)").Append('\n')
            .Append("\nSizes come from each file's target (optimize.targets, compose limits and image tags, a PGTune header, the live server), never from the machine Optimize runs on.\n");
        foreach (var area in findings.GroupBy(f => f.Area).OrderBy(g => g.Key))
        {
            markdown.Append(CultureInfo.InvariantCulture, $"\n## {area.Key}\n");
            foreach (var f in area.OrderByDescending(f => f.Severity).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line))
            {
                markdown.Append(CultureInfo.InvariantCulture, $"\n- **{f.Severity.ToString().ToLowerInvariant()}** `{f.RuleId}` {Escape(f.Title)} ({Escape(f.File)}{(f.Line is { } l ? $":{l}" : "")})\n")
                    .Append(CultureInfo.InvariantCulture, $"  - evidence: {Escape(f.Evidence)}\n")
                    .Append(CultureInfo.InvariantCulture, $"  - recommendation: {Escape(f.Recommendation)}{(f.Patch is null ? "" : " (patched)")}\n")
                    .Append(f.NotPatched is { } why ? $"  - {Escape(why)}\n" : "")
                    .Append(f.Moves is { } moves ? $"  - expected to move: {Escape(moves)}\n" : "")
                    .Append(CultureInfo.InvariantCulture, $"  - source: {f.Link}\n");
            }
        }

        if (patches.Count > 0)
        {
            markdown.Append("\n## Diffs\n");
            foreach (var patch in patches)
                markdown.Append("\n```diff\n").Append(UnifiedDiff.Create(patch.RelativePath, patch.Original, patch.Updated)).Append("```\n");
        }

        var path = Path.Combine(request.ResultsRoot, $"optimization-report-{stamp}.md");
        var masker = request.Masker ?? Zoptal.Perf.Core.Secrets.SecretMasker.Shared;
        AtomicFile.WriteAllText(path, masker.Apply(markdown.ToString()));
        AtomicFile.WriteAllText(Path.ChangeExtension(path, ".json"), masker.Apply(JsonSerializer.Serialize(new
        {
            generatedAt = request.Now,
            applied = request.Apply,
            files,
            findings = findings.Select(f => new { f.RuleId, area = f.Area.ToString(), severity = f.Severity.ToString(), f.File, f.Line, f.Title, f.Evidence, f.Recommendation, f.Link, f.Moves, patched = f.Patch is not null, f.NotPatched }),
            diffs = patches.Select(p => new { file = p.RelativePath, encoding = p.Format.Name, diff = UnifiedDiff.Create(p.RelativePath, p.Original, p.Updated) }),
        }, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // text a masker can read
        })));
        return path;
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    [GeneratedRegex(@"^(docker-)?compose.*\.ya?ml$")]
    private static partial Regex ComposeName();

    [GeneratedRegex(@"^next\.config\.(js|mjs|cjs|ts|mts)$")]
    private static partial Regex NextConfigName();
}
