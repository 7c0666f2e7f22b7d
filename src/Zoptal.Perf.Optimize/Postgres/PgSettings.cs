using System.Globalization;

namespace Zoptal.Perf.Optimize.Postgres;

/// <summary>How a setting's bare number is read: a size in some unit, or a plain value.</summary>
public enum PgUnit
{
    None,
    Kb,
    Pages8Kb,
    Mb,
}

/// <summary>
/// A setting PGTune writes: the versions that have it (a server refuses to start on a name it does not know), its
/// unit, whether it needs a restart, and its default per version (a patch never adds a line equal to the default).
/// </summary>
public sealed record PgSetting(string Name, double Since, PgUnit Unit, bool Restart, Func<double, string> Default, double? Until = null)
{
    /// <summary>True when the version has the setting.</summary>
    public bool ExistsIn(double version) => version >= Since && (Until is not { } until || version < until);

    /// <summary>True when a value equals this version's default (sizes compared in kB, the rest as text).</summary>
    public bool IsDefault(string value, double version) => Same(value, Default(version));

    /// <summary>True when a value is the default of every version that has the setting (default_statistics_target = 100).</summary>
    public bool IsDefaultEverywhere(string value)
    {
        var versions = new List<double> { Since };
        for (var major = 10; major <= 19; major++)
            versions.Add(major);
        versions.AddRange([9.4, 9.5, 9.6]);
        return versions.Where(ExistsIn).All(v => IsDefault(value, v));
    }

    /// <summary>True when two values mean the same (<c>128MB</c> and <c>16384</c> pages; <c>on</c> and <c>true</c>).</summary>
    public bool Same(string a, string b)
    {
        if (Unit != PgUnit.None)
            return PgSize.ToKb(a, UnitKb) is { } x && PgSize.ToKb(b, UnitKb) is { } y ? x == y : Normal(a) == Normal(b);
        if (double.TryParse(Normal(a), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && double.TryParse(Normal(b), NumberStyles.Float, CultureInfo.InvariantCulture, out var q))
            return p == q;
        return Bool(Normal(a)) == Bool(Normal(b));
    }

    /// <summary>kB per bare unit.</summary>
    public double UnitKb => Unit switch { PgUnit.Pages8Kb => 8, PgUnit.Mb => 1024, _ => 1 };

    private static string Normal(string value) => value.Trim().Trim('\'').Trim().ToLowerInvariant();

    private static string Bool(string value) => value switch { "on" or "true" or "yes" or "1" => "on", "off" or "false" or "no" or "0" => "off", _ => value };
}

/// <summary>The settings PGTune writes, with the versions and defaults of the PostgreSQL documentation.</summary>
public static class PgSettings
{
    public static IReadOnlyDictionary<string, PgSetting> All { get; } = new[]
    {
        new PgSetting("max_connections", 8.0, PgUnit.None, true, _ => "100"),
        new PgSetting("shared_buffers", 8.0, PgUnit.Pages8Kb, true, v => v >= 9.3 ? "128MB" : "32MB"),
        new PgSetting("effective_cache_size", 8.0, PgUnit.Pages8Kb, false, v => v >= 9.4 ? "4GB" : "128MB"),
        new PgSetting("maintenance_work_mem", 8.0, PgUnit.Kb, false, v => v >= 9.4 ? "64MB" : "16MB"),
        new PgSetting("checkpoint_completion_target", 8.3, PgUnit.None, false, v => v >= 14 ? "0.9" : "0.5"),
        new PgSetting("wal_buffers", 8.0, PgUnit.Pages8Kb, true, _ => "-1"),
        new PgSetting("min_wal_size", 9.5, PgUnit.Mb, false, _ => "80MB"),
        new PgSetting("max_wal_size", 9.5, PgUnit.Mb, false, _ => "1GB"),
        new PgSetting("default_statistics_target", 8.0, PgUnit.None, false, _ => "100"),
        new PgSetting("random_page_cost", 8.0, PgUnit.None, false, _ => "4"),
        new PgSetting("effective_io_concurrency", 8.4, PgUnit.None, false, v => v >= 18 ? "16" : "1"),
        new PgSetting("work_mem", 8.0, PgUnit.Kb, false, v => v >= 9.4 ? "4MB" : "1MB"),
        new PgSetting("huge_pages", 9.4, PgUnit.None, true, _ => "try"),
        new PgSetting("max_worker_processes", 9.4, PgUnit.None, true, _ => "8"),
        new PgSetting("max_parallel_workers_per_gather", 9.6, PgUnit.None, false, v => v >= 10 ? "2" : "0"),
        new PgSetting("max_parallel_workers", 10, PgUnit.None, false, _ => "8"),
        new PgSetting("max_parallel_maintenance_workers", 11, PgUnit.None, false, _ => "2"),
        new PgSetting("jit", 11, PgUnit.None, false, v => v >= 12 ? "on" : "off"),
        new PgSetting("wal_compression", 9.5, PgUnit.None, false, _ => "off"),
        new PgSetting("autovacuum_max_workers", 8.3, PgUnit.None, true, _ => "3"),
        new PgSetting("wal_level", 9.6, PgUnit.None, true, v => v >= 10 ? "replica" : "minimal"),
        new PgSetting("max_wal_senders", 9.0, PgUnit.None, true, v => v >= 10 ? "10" : "0"),
    }.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>A version as people write it: 15, 9.6.</summary>
    public static string Version(double version) => version.ToString(version >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture);

    /// <summary>The major version of server_version_num (150004 → 15, 90624 → 9.6).</summary>
    public static double FromVersionNum(int versionNum) => versionNum >= 100000 ? versionNum / 10000 : versionNum / 10000 + versionNum / 100 % 100 / 10.0;
}
