using System.Globalization;
using System.Text;
using Zoptal.Perf.Core;
using Zoptal.Perf.Optimize.Targets;

namespace Zoptal.Perf.Optimize.Postgres;

/// <summary>
/// PGTune's settings against a postgresql.conf, sized for the file's target machine: a finding per setting whose
/// effective value (includes followed) differs, with its current value, the recommended one and the formula; the
/// edits change the active line's value, or add a line where nothing later overrides it.
/// </summary>
public static class PostgresRules
{
    public const string Link = "https://pgtune.leopard.in.ua/ (formulas: shared/reference/postgres-and-configs.md §1)";

    /// <summary>The path of the ALTER SYSTEM script for a live server (a fixed name: a second apply finds it written).</summary>
    public const string SettingsScript = "zoptal-perf/postgres-settings.sql";

    private const int MaxIncludeDepth = 10;

    /// <summary>The settings of a file that differ from PGTune's for its target, each with the edit that sets it.</summary>
    public static IReadOnlyList<Finding> ForFile(string root, string relativePath, string text, Target target)
    {
        var conf = PostgresConf.Parse(relativePath, text);
        var effective = Effective(root, conf, 0);
        var maxConnections = effective.TryGetValue("max_connections", out var mc) && int.TryParse(mc.Unquoted, CultureInfo.InvariantCulture, out var connections) ? connections : (int?)null;
        var version = target.PostgresVersion?.Value;
        var recommended = PgTune.Recommend(new PgTuneInput(target.Memory?.Value, target.Cpus?.Value, version, target.Profile.Value, target.Storage.Value, maxConnections), out var skipped);
        var sized = $"sized for {target.Describe(postgres: true)}";
        var findings = new List<Finding>();
        if (skipped.Count > 0)
        {
            var missing = new List<string>();
            if (target.Memory is null || target.Cpus is null)
                missing.Add("cpus and memory");
            if (target.PostgresVersion is null)
                missing.Add("postgresVersion");
            findings.Add(new Finding("pgtune-target-unknown", Area.Postgres, Severity.Info, relativePath, null, $"not sized: {string.Join(" and ", missing)} of the server unknown",
                $"{string.Join(", ", skipped)} depend on the machine and version this file is for; Optimize never sizes for the machine it runs on ({sized})",
                $"set them: optimize.targets: [{{ files: [\"{relativePath}\"], cpus: 4, memory: 8GB, postgresVersion: 16 }}], or limits and a versioned image on the compose service that mounts the file",
                "docs/optimize.md#targets"));
        }

        foreach (var disagreement in target.Disagreements)
        {
            findings.Add(new Finding("target-disagreement", Area.Postgres, Severity.Warning, relativePath, null, "the sources of the target disagree", disagreement,
                "make the config's optimize.targets match the server, or the other way round", "docs/optimize.md#targets"));
        }

        var newline = conf.NewLine;
        var appended = new StringBuilder();
        var appendedFindings = new List<int>();
        var lastInclude = conf.Entries.LastOrDefault(e => e.IsInclude);
        var includeSets = new IncludeSets(root, relativePath); // each include read once, whatever the number of settings
        foreach (var setting in recommended)
        {
            var definition = PgSettings.All[setting.Name];
            var value = definition.Unit == PgUnit.None ? setting.Value : PgSize.Readable(PgSize.ToKb(setting.Value)!.Value);
            effective.TryGetValue(setting.Name, out var current);
            if (current is not null && definition.Same(current.Unquoted, value))
                continue;
            if (current is null && (version is { } v ? definition.IsDefault(value, v) : definition.IsDefaultEverywhere(value)))
                continue; // already the server's default: nothing to add
            if (setting.Name == "max_worker_processes" && current is not null && Lowers(current.Unquoted, value))
                continue; // raised by hand for extensions' background workers (TimescaleDB, Citus, pg_cron, logical replication): never lowered
            if (setting.Name == "wal_level" && effective.TryGetValue("archive_mode", out var archive) && archive.Unquoted is "on" or "always")
                continue; // minimal WAL refuses archiving: the server would not start
            var shown = current is null ? $"default{(version is { } dv ? " " + PgSettings.All[setting.Name].Default(dv) : "")}" : current.Unquoted;
            var where = current is null ? "not set" : $"{current.File}:{current.Line}";
            var edit = (TextEdit?)null;
            var placement = "";
            var guess = Guess(setting.Name, target);
            bool Overridden(int line) => conf.IncludesAfter(line).Any(include => includeSets.MaySet(include, setting.Name));
            if (guess is not null)
            {
                // advice only: no edit, no placement
            }
            else if (current is not null && current.File == relativePath && !Overridden(current.Line))
            {
                edit = ReplaceValue(text, current.ValueStart, current.ValueEnd, PostgresConf.Quote(value));
            }
            else if (current is null && conf.Commented.LastOrDefault(c => c.Name.Equals(setting.Name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } commented
                && !Overridden(commented.Line))
            {
                edit = TextEdit.Insert(commented.End, (commented.End == text.Length && !text.EndsWith('\n') ? newline : "") + $"{setting.Name} = {PostgresConf.Quote(value)}\t\t# Zoptal.Perf Optimize" + newline);
                placement = $"; added under the commented default (line {commented.Line})";
            }
            else
            {
                appended.Append(CultureInfo.InvariantCulture, $"{setting.Name} = {PostgresConf.Quote(value)}\t\t# Zoptal.Perf Optimize").Append(newline);
                appendedFindings.Add(findings.Count);
                placement = lastInclude is null ? "; added at the end" : $"; added at the end, after the {lastInclude.Name} at line {lastInclude.Line}, which could set it again";
            }

            var versionNote = version is { } ver ? $"PostgreSQL {PgSettings.Version(ver)} has it" : $"exists since PostgreSQL {PgSettings.Version(definition.Since)}";
            findings.Add(new Finding($"pgtune-{setting.Name.Replace('_', '-')}", Area.Postgres, SeverityOf(setting.Name), relativePath, current?.File == relativePath ? current.Line : null,
                $"{setting.Name}: {shown} → {value}",
                $"{setting.Formula}; {sized}; current value {where}; {versionNote}{(definition.Restart ? "; needs a restart" : "; a reload applies it")}{placement}",
                $"set {setting.Name} = {value}", Link)
            { Edits = edit is null ? [] : [edit], NotPatched = guess });
        }

        if (appended.Length > 0)
        {
            var prefix = text.Length > 0 && !text.EndsWith('\n') ? newline : "";
            var block = TextEdit.Insert(text.Length, prefix + appended);
            // One insertion for the lines added at the end, shared by their findings (so they land in order).
            foreach (var index in appendedFindings)
                findings[index] = findings[index] with { Edits = [block] };
        }

        return findings;
    }

    /// <summary>
    /// The live server's settings (pg_settings, in their base units) against PGTune's for its target: a finding per
    /// difference, and an <c>ALTER SYSTEM</c> script as the patch (to run as a superuser, then reload or restart).
    /// </summary>
    public static IReadOnlyList<Finding> ForServer(string server, IReadOnlyDictionary<string, (string Value, string? Unit)> current, string existingScript, Target target)
    {
        var maxConnections = current.TryGetValue("max_connections", out var mc) && int.TryParse(mc.Value, CultureInfo.InvariantCulture, out var connections) ? connections : (int?)null;
        var version = target.PostgresVersion?.Value;
        var recommended = PgTune.Recommend(new PgTuneInput(target.Memory?.Value, target.Cpus?.Value, version, target.Profile.Value, target.Storage.Value, maxConnections), out _);
        var sized = $"sized for {target.Describe(postgres: true)}";
        var findings = new List<Finding>();
        var script = new StringBuilder($"-- Written by ./build.sh Optimize for {server} (PGTune, {sized}).\n")
            .Append("-- Run as a superuser; then SELECT pg_reload_conf(); settings marked (restart) need a restart.\n");
        foreach (var disagreement in target.Disagreements)
            findings.Add(new Finding("target-disagreement", Area.Postgres, Severity.Warning, SettingsScript, null, $"{server}: the sources of the target disagree", disagreement, "make the config's optimize.targets match the server", "docs/optimize.md#targets"));
        foreach (var setting in recommended)
        {
            if (!current.TryGetValue(setting.Name, out var live))
                continue;
            var definition = PgSettings.All[setting.Name];
            var value = definition.Unit == PgUnit.None ? setting.Value : PgSize.Readable(PgSize.ToKb(setting.Value)!.Value);
            var liveValue = live.Unit is null ? live.Value : PgSize.ToKb(live.Value, live.Unit switch { "8kB" => 8, "MB" => 1024, "B" => 1.0 / 1024, _ => 1 }) is { } kb ? PgSize.Format(kb) : live.Value;
            if (definition.Same(liveValue, value))
                continue;
            if (setting.Name == "max_worker_processes" && Lowers(liveValue, value))
                continue;
            if (Guess(setting.Name, target) is { } guess)
            {
                findings.Add(new Finding($"pgtune-{setting.Name.Replace('_', '-')}", Area.Postgres, Severity.Info, SettingsScript, null,
                    $"{setting.Name}: {liveValue} on {server} → {value}?", $"{setting.Formula}; live value from pg_settings; {sized}",
                    $"ALTER SYSTEM SET {setting.Name} = '{value}'; if the server's workload and storage are what PGTune assumes", Link)
                { NotPatched = guess });
                continue;
            }

            script.Append(CultureInfo.InvariantCulture, $"ALTER SYSTEM SET {setting.Name} = '{value}';{(definition.Restart ? " -- (restart)" : "")}\n");
            findings.Add(new Finding($"pgtune-{setting.Name.Replace('_', '-')}", Area.Postgres, SeverityOf(setting.Name), SettingsScript, null,
                $"{setting.Name}: {liveValue} on {server} → {value}",
                $"{setting.Formula}; live value from pg_settings; {sized}",
                $"ALTER SYSTEM SET {setting.Name} = '{value}';", Link));
        }

        var patch = findings.All(f => f.RuleId == "target-disagreement" || f.NotPatched is not null) || existingScript == script.ToString() ? null : new FilePatch(SettingsScript, existingScript, script.ToString());
        return [.. findings.Select(f => f.RuleId == "target-disagreement" || f.NotPatched is not null ? f : f with { Patch = patch })];
    }

    /// <summary>The value replaced; a trailing comment stays in its column (spaces, not tabs, taken or given), one space at least.</summary>
    private static TextEdit ReplaceValue(string text, int start, int end, string value)
    {
        var gap = end;
        while (gap < text.Length && text[gap] == ' ')
            gap++;
        if (gap == end || gap >= text.Length || text[gap] != '#')
            return new TextEdit(start, end, value);
        var spaces = Math.Max(1, gap - start - value.Length);
        return new TextEdit(start, gap, value + new string(' ', spaces));
    }

    /// <summary>Why a setting is advice only: its value depends on a profile or storage nobody stated (PGTune asks for both); else null.</summary>
    private static string? Guess(string name, Target target)
    {
        if (PgTune.DependsOnProfile(name) && target.ProfileAssumed)
            return "the workload is not stated (PGTune's web profile assumed): set optimize.postgresProfile, or profile in the file's optimize.targets entry, to have it written";
        if (PgTune.DependsOnStorage(name) && target.StorageAssumed)
            return "the storage is not stated (SSD assumed): set optimize.storage, or storage in the file's optimize.targets entry, to have it written";
        return null;
    }

    private static bool Lowers(string current, string recommended) =>
        double.TryParse(current.Trim('\''), NumberStyles.Float, CultureInfo.InvariantCulture, out var now) && double.TryParse(recommended, NumberStyles.Float, CultureInfo.InvariantCulture, out var then) && then < now;

    // The value each setting ends up with: the file's lines in order, an included file's at its include, the last one winning.
    private static Dictionary<string, ConfEntry> Effective(string root, PostgresConf conf, int depth)
    {
        var result = new Dictionary<string, ConfEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in conf.Entries)
        {
            if (!entry.IsInclude)
            {
                result[entry.Name] = entry;
                continue;
            }

            if (depth >= MaxIncludeDepth)
                continue;
            foreach (var included in Included(root, conf.File, entry))
            {
                foreach (var (name, value) in Effective(root, included, depth + 1))
                    result[name] = value;
            }
        }

        return result;
    }

    // Whether an include can set a setting: one it reads from the repository that sets it, or one outside it (unknown).
    // The names each include sets are read once per file analysed.
    private sealed class IncludeSets(string root, string relativePath)
    {
        private readonly Dictionary<ConfEntry, HashSet<string>?> _names = [];

        public bool MaySet(ConfEntry include, string name)
        {
            if (!_names.TryGetValue(include, out var names))
            {
                names = Inside(root, relativePath, include)
                    ? new HashSet<string>(Included(root, relativePath, include).SelectMany(file => Effective(root, file, 1).Keys), StringComparer.OrdinalIgnoreCase)
                    : null;
                _names[include] = names;
            }

            return names is null || names.Contains(name);
        }
    }

    private static bool Inside(string root, string relativePath, ConfEntry include)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(Path.Combine(root, relativePath)))!;
        var target = Path.GetFullPath(Path.Combine(folder, include.Unquoted));
        return target.StartsWith(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The files an include directive reads, when they are inside the repository (others cannot be known).</summary>
    public static IEnumerable<PostgresConf> Included(string root, string relativePath, ConfEntry include)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(Path.Combine(root, relativePath)))!;
        var target = Path.GetFullPath(Path.Combine(folder, include.Unquoted));
        if (!Inside(root, relativePath, include))
            yield break;
        var files = include.Name.Equals("include_dir", StringComparison.OrdinalIgnoreCase)
            ? Directory.Exists(target) ? Directory.GetFiles(target, "*.conf").Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToList() : []
            : File.Exists(target) ? [target] : [];
        foreach (var file in files)
            yield return PostgresConf.Parse(Path.GetRelativePath(root, file).Replace('\\', '/'), File.ReadAllText(file));
    }

    // Memory settings matter most; the rest are refinements.
    private static Severity SeverityOf(string name) => name is "shared_buffers" or "work_mem" or "effective_cache_size" or "maintenance_work_mem"
        ? Severity.Warning : Severity.Info;
}
