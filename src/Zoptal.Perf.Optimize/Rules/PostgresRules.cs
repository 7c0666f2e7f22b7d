using System.Globalization;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>
/// PGTune's settings against a postgresql.conf (or the live server's): a finding per differing setting with its
/// current value, the recommended one and the formula; one patch for the file.
/// </summary>
public static class PostgresRules
{
    public const string Link = "https://pgtune.leopard.in.ua/ (formulas: shared/reference/postgres-and-configs.md §1)";

    /// <summary>Settings of the file that differ from PGTune's for these limits, and the patch that sets them.</summary>
    public static IReadOnlyList<Finding> ForFile(string relativePath, string text, Limits limits, OptimizeConfig config, int majorVersion)
    {
        var conf = new PostgresConf(text);
        var recommended = PgTune.Recommend(limits.MemoryBytes, limits.Cpus, config.PostgresProfile, config.Storage, majorVersion,
            conf.Get("max_connections") is { } mc && int.TryParse(mc.Value, CultureInfo.InvariantCulture, out var connections) ? connections : null);
        var findings = new List<Finding>();
        foreach (var setting in recommended)
        {
            var current = conf.Get(setting.Name);
            if (current is { } c && Same(setting.Name, c.Value, setting.Value))
                continue;
            conf.Set(setting.Name, setting.Value);
            findings.Add(new Finding($"pgtune-{setting.Name.Replace('_', '-')}", Area.Postgres, Severity(setting.Name), relativePath, current?.Line,
                $"{setting.Name}: {current?.Value ?? "default"} → {setting.Value}",
                $"{setting.Formula}; sized for {limits.Cpus:0.##} CPUs and {limits.MemoryBytes / 1048576} MiB ({limits.Source}), {config.PostgresProfile.ToString().ToLowerInvariant()} profile, {config.Storage.ToString().ToUpperInvariant()}, PostgreSQL {majorVersion}",
                $"set {setting.Name} = {setting.Value}", Link));
        }

        var patched = conf.ToString();
        var patch = patched == text ? null : new FilePatch(relativePath, text, patched);
        return [.. findings.Select(f => f with { Patch = patch })];
    }

    /// <summary>The path of the ALTER SYSTEM script for a live server (a fixed name: a second apply finds it written).</summary>
    public const string SettingsScript = "zoptal-perf/postgres-settings.sql";

    /// <summary>
    /// The live server's settings (pg_settings, in their base units) against PGTune's: a finding per difference, and
    /// an <c>ALTER SYSTEM</c> script as the patch (to run as a superuser, then reload or restart).
    /// </summary>
    public static IReadOnlyList<Finding> ForServer(string server, IReadOnlyDictionary<string, (string Value, string? Unit)> current, string existingScript,
        Limits limits, OptimizeConfig config, int majorVersion)
    {
        var recommended = PgTune.Recommend(limits.MemoryBytes, limits.Cpus, config.PostgresProfile, config.Storage, majorVersion,
            current.TryGetValue("max_connections", out var mc) && int.TryParse(mc.Value, CultureInfo.InvariantCulture, out var connections) ? connections : null);
        var findings = new List<Finding>();
        var script = new System.Text.StringBuilder($"-- Written by ./build.sh Optimize for {server} (PGTune, {config.PostgresProfile.ToString().ToLowerInvariant()} profile, sized for {limits.Cpus:0.##} CPUs and {limits.MemoryBytes / 1048576} MiB: {limits.Source}).\n")
            .Append("-- Run as a superuser; then SELECT pg_reload_conf(); settings marked (restart) need a restart.\n");
        foreach (var setting in recommended)
        {
            if (!current.TryGetValue(setting.Name, out var value))
                continue;
            var kb = PgTune.ToKb(value.Value, value.Unit);
            var same = kb is { } a && PgTune.ToKb(setting.Value) is { } b ? a == b : string.Equals(value.Value, setting.Value, StringComparison.OrdinalIgnoreCase);
            if (same)
                continue;
            var shown = kb is { } k && value.Unit is not null ? PgTune.Format(k) : value.Value;
            var restart = setting.Name is "shared_buffers" or "max_connections" or "huge_pages" or "max_worker_processes" or "wal_buffers";
            script.Append(CultureInfo.InvariantCulture, $"ALTER SYSTEM SET {setting.Name} = '{setting.Value}';{(restart ? " -- (restart)" : "")}\n");
            findings.Add(new Finding($"pgtune-{setting.Name.Replace('_', '-')}", Area.Postgres, Severity(setting.Name), SettingsScript, null,
                $"{setting.Name}: {shown} on {server} → {setting.Value}",
                $"{setting.Formula}; live value from pg_settings; sized for {limits.Cpus:0.##} CPUs and {limits.MemoryBytes / 1048576} MiB ({limits.Source}), PostgreSQL {majorVersion}",
                $"ALTER SYSTEM SET {setting.Name} = '{setting.Value}';", Link));
        }

        var patch = findings.Count == 0 || existingScript == script.ToString() ? null : new FilePatch(SettingsScript, existingScript, script.ToString());
        return [.. findings.Select(f => f with { Patch = patch })];
    }

    // Memory settings matter most; the rest are refinements.
    private static Severity Severity(string name) => name is "shared_buffers" or "work_mem" or "effective_cache_size" or "maintenance_work_mem"
        ? Optimize.Severity.Warning : Optimize.Severity.Info;

    private static bool Same(string name, string current, string recommended) =>
        PgTune.ToKb(current, name switch { "shared_buffers" or "wal_buffers" or "effective_cache_size" => "8kB", "min_wal_size" or "max_wal_size" => "MB", _ => "kB" }) is { } a
        && PgTune.ToKb(recommended) is { } b ? a == b : string.Equals(current, recommended, StringComparison.OrdinalIgnoreCase);
}
