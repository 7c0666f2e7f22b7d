using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.IO;
using Zoptal.Perf.Optimize.Patching;
using Zoptal.Perf.Optimize.Rules;

namespace Zoptal.Perf.Optimize;

/// <summary>What Optimize is asked to do.</summary>
public sealed record OptimizeRequest(string Root, OptimizeConfig Config, string ResultsRoot, Limits Limits, DateTimeOffset Now)
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
}

/// <summary>
/// Optimize: reads the files the config's globs find, runs the rules of the chosen areas, writes
/// <c>optimization-report-&lt;timestamp&gt;.md</c> and <c>.json</c> into the results folder, and with <c>--apply</c> writes the
/// patches (originals backed up first). A second apply finds nothing left to change.
/// </summary>
public static partial class OptimizeSession
{
    /// <summary>Where the index migration goes (a fixed name, so a second apply finds it already written).</summary>
    public const string IndexMigrationPath = "zoptal-perf/postgres-indexes.sql";

    public static OptimizeOutcome Run(OptimizeRequest request)
    {
        // The files the globs find that some rule reads (the default globs also match, say, a DockerfileRules.cs).
        var files = Glob.Find(request.Root, request.Config.Include, request.Config.Exclude).Where(f => Kind(Path.GetFileName(f)) is not null).ToList();
        var findings = new List<Finding>();
        var defaultVersion = 16;
        var sharedBuffers = PgTune.Recommend(request.Limits.MemoryBytes, request.Limits.Cpus, request.Config.PostgresProfile, request.Config.Storage, defaultVersion)
            .First(s => s.Name == "shared_buffers").Value;
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var path = Path.Combine(request.Root, file);
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (IOException)
            {
                continue;
            }

            var kind = Kind(name);
            if (kind is null || !request.Areas.Contains(kind.Value.Area))
                continue;
            if (kind.Value.Reader == "dockerfile")
                findings.AddRange(DockerfileRules.Check(file, text));
            else if (kind.Value.Reader == "compose")
                findings.AddRange(ComposeRules.Check(file, text, PgTune.ToKb(sharedBuffers)));
            else if (kind.Value.Reader == "pm2")
                findings.AddRange(Pm2Rules.Check(file, text, request.Limits));
            else if (kind.Value.Reader == "nextjs")
                findings.AddRange(NextJsRules.Check(request.Root, file, text));
            else if (kind.Value.Reader == "postgresql.conf")
                findings.AddRange(PostgresRules.ForFile(file, text, request.Limits, request.Config, Version().Match(file) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : defaultVersion));
        }

        if (request.Areas.Contains(Area.Postgres))
        {
            findings.AddRange(IndexMigrationFindings(request));
            if (request.Database is { } database)
                findings.AddRange(LiveSettings(request, database));
        }

        var expected = Expectations.FromNewestRun(request.ResultsRoot);
        if (expected is not null)
            findings = [.. findings.Select(f => f with { Moves = expected.For(f) })];

        // One patch per file: the last rule's view of a file is the whole file's new text (rules of one file share it).
        var patches = findings.Where(f => f.Patch is not null).Select(f => f.Patch!).GroupBy(p => p.RelativePath).Select(g => g.Last()).ToList();
        var report = WriteReport(request, files, findings, patches);
        var backup = request.Apply ? PatchWriter.Apply(request.Root, patches, request.Now) : null;
        return new OptimizeOutcome(files, findings, patches, report, backup);
    }

    // The live server's settings; a server that cannot be reached is a finding, not a failed Optimize.
    private static IEnumerable<Finding> LiveSettings(OptimizeRequest request, DatabaseConfig database)
    {
        var probe = Zoptal.Perf.Probes.Postgres.PgProbe.Create(database);
        try
        {
            var capabilities = probe.CapabilitiesAsync().GetAwaiter().GetResult();
            var names = PgTune.Recommend(request.Limits.MemoryBytes, request.Limits.Cpus, request.Config.PostgresProfile, request.Config.Storage, capabilities.VersionNum / 10000)
                .Select(s => s.Name);
            var settings = probe.SettingsAsync(names).GetAwaiter().GetResult();
            var path = Path.Combine(request.Root, PostgresRules.SettingsScript);
            return PostgresRules.ForServer(probe.Server, settings, File.Exists(path) ? File.ReadAllText(path) : "", request.Limits, request.Config, capabilities.VersionNum / 10000);
        }
        catch (Zoptal.Perf.Core.RunFailedException e)
        {
            return [new Finding("postgres-unreachable", Area.Postgres, Severity.Info, "perf-config.yml", null, $"PostgreSQL at {probe.Server} was not read", e.Message,
                "check database.connectionString and the password in the environment", "docs/configuration.md")];
        }
        finally
        {
            probe.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    // The database analysis of the newest run, when it has one: its index suggestions as a migration file.
    private static IEnumerable<Finding> IndexMigrationFindings(OptimizeRequest request)
    {
        var summary = Path.Combine(request.ResultsRoot, "latest", "summary.json");
        if (!File.Exists(summary))
            yield break;
        using var document = JsonDocument.Parse(File.ReadAllBytes(summary));
        if (!document.RootElement.TryGetProperty("database", out var database) || database.ValueKind != JsonValueKind.Object)
            yield break;
        var statements = new List<string>();
        var findings = new List<Finding>();
        foreach (var finding in database.GetProperty("findings").EnumerateArray())
        {
            var kind = finding.GetProperty("kind").GetString();
            if (kind is not ("missing-index" or "analyze") || finding.GetProperty("suggestion").GetString() is not { Length: > 0 } sql)
                continue;
            statements.Add(sql);
            findings.Add(new Finding($"postgres-{kind}", Area.Postgres, kind == "missing-index" ? Severity.Warning : Severity.Info, IndexMigrationPath, null,
                finding.GetProperty("title").GetString()!, finding.GetProperty("evidence").GetString()!, sql, "docs/database-analysis.md"));
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

    private static (Area Area, string Reader)? Kind(string name) =>
        name == "Dockerfile" || name.StartsWith("Dockerfile.", StringComparison.Ordinal) || name.EndsWith(".Dockerfile", StringComparison.Ordinal) ? (Area.Docker, "dockerfile")
        : ComposeName().IsMatch(name) ? (Area.Docker, "compose")
        : name == "postgresql.conf" ? (Area.Postgres, "postgresql.conf")
        : name is "ecosystem.config.js" or "ecosystem.config.cjs" ? (Area.Pm2, "pm2")
        : name.StartsWith("next.config.", StringComparison.Ordinal) ? (Area.Nextjs, "nextjs")
        : null;

    private static string WriteReport(OptimizeRequest request, IReadOnlyList<string> files, IReadOnlyList<Finding> findings, IReadOnlyList<FilePatch> patches)
    {
        Directory.CreateDirectory(request.ResultsRoot);
        var stamp = request.Now.UtcDateTime.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        var markdown = new StringBuilder();
        markdown.Append("# Optimization report\n\n")
            .Append(CultureInfo.InvariantCulture, $"{request.Now.UtcDateTime:yyyy-MM-dd HH:mm} UTC · {files.Count} files read · {findings.Count} findings · {patches.Count} patches ")
            .Append(request.Apply ? "applied" : "proposed (dry run; --apply writes them)").Append('\n')
            .Append(CultureInfo.InvariantCulture, $"\nSized for {request.Limits.Cpus:0.##} CPUs and {request.Limits.MemoryBytes / 1048576} MiB: {request.Limits.Source}.\n");
        foreach (var area in findings.GroupBy(f => f.Area).OrderBy(g => g.Key))
        {
            markdown.Append(CultureInfo.InvariantCulture, $"\n## {area.Key}\n");
            foreach (var f in area.OrderByDescending(f => f.Severity).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line))
            {
                markdown.Append(CultureInfo.InvariantCulture, $"\n- **{f.Severity.ToString().ToLowerInvariant()}** `{f.RuleId}` {Escape(f.Title)} ({Escape(f.File)}{(f.Line is { } l ? $":{l}" : "")})\n")
                    .Append(CultureInfo.InvariantCulture, $"  - evidence: {Escape(f.Evidence)}\n")
                    .Append(CultureInfo.InvariantCulture, $"  - recommendation: {Escape(f.Recommendation)}{(f.Patch is null ? "" : " (patched)")}\n")
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
            limits = request.Limits,
            applied = request.Apply,
            files,
            findings = findings.Select(f => new { f.RuleId, area = f.Area.ToString(), severity = f.Severity.ToString(), f.File, f.Line, f.Title, f.Evidence, f.Recommendation, f.Link, f.Moves, patched = f.Patch is not null }),
            diffs = patches.Select(p => new { file = p.RelativePath, diff = UnifiedDiff.Create(p.RelativePath, p.Original, p.Updated) }),
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

    [GeneratedRegex(@"postgresql/(\d+)/")]
    private static partial Regex Version();
}
