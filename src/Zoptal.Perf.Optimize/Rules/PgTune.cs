using System.Globalization;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>A recommended setting: its value as postgresql.conf writes it, and the formula with its inputs.</summary>
public sealed record TunedSetting(string Name, string Value, string Formula);

/// <summary>
/// PGTune's formulas (le0pard/pgtune, configurationSlice.js; see shared/reference/postgres-and-configs.md), fed with
/// the container's memory and CPUs instead of the host's. Values are computed in kB, as PGTune does.
/// </summary>
public static class PgTune
{
    private const long Mb = 1024;
    private const long Gb = 1024 * 1024;

    public static IReadOnlyList<TunedSetting> Recommend(long memoryBytes, double cpus, PostgresProfile profile, StorageKind storage, int majorVersion, int? maxConnections = null)
    {
        var ram = memoryBytes / 1024; // kB
        var cores = (int)Math.Floor(cpus);
        var ramText = Format(ram);
        var settings = new List<TunedSetting>();
        void Add(string name, string value, string formula) => settings.Add(new TunedSetting(name, value, formula));

        var connections = maxConnections ?? profile switch
        {
            PostgresProfile.Oltp => 300,
            PostgresProfile.Dw => 40,
            PostgresProfile.Desktop => 20,
            PostgresProfile.Mixed => 100,
            _ => 200,
        };
        Add("max_connections", connections.ToString(CultureInfo.InvariantCulture), maxConnections is null ? $"{Name(profile)} profile default" : "as configured");

        var sharedBuffers = profile == PostgresProfile.Desktop ? ram / 16 : ram / 4;
        Add("shared_buffers", Format(sharedBuffers), $"RAM {ramText} / {(profile == PostgresProfile.Desktop ? 16 : 4)}");
        Add("effective_cache_size", Format(profile == PostgresProfile.Desktop ? ram / 4 : ram * 3 / 4), $"RAM {ramText} × {(profile == PostgresProfile.Desktop ? "1/4" : "3/4")}");
        var maintenance = Math.Min(profile == PostgresProfile.Dw ? ram / 8 : ram / 16, 8 * Gb);
        Add("maintenance_work_mem", Format(maintenance), $"RAM {ramText} / {(profile == PostgresProfile.Dw ? 8 : 16)}, at most 8GB");
        Add("checkpoint_completion_target", "0.9", "PGTune's constant");

        var walBuffers = sharedBuffers * 3 / 100;
        if (walBuffers > 16 * Mb)
            walBuffers = 16 * Mb;
        if (walBuffers > 14 * Mb)
            walBuffers = 16 * Mb; // PGTune rounds values near the cap up to it
        walBuffers = Math.Max(walBuffers, 32);
        Add("wal_buffers", Format(walBuffers), "3 % of shared_buffers, at most 16MB, at least 32kB");

        var (minWal, maxWal) = profile switch
        {
            PostgresProfile.Oltp => ("2GB", "8GB"),
            PostgresProfile.Dw => ("4GB", "16GB"),
            PostgresProfile.Desktop => ("100MB", "2GB"),
            _ => ("1GB", "4GB"),
        };
        Add("min_wal_size", minWal, $"{Name(profile)} profile");
        Add("max_wal_size", maxWal, $"{Name(profile)} profile");
        Add("default_statistics_target", profile == PostgresProfile.Dw ? "500" : "100", $"{Name(profile)} profile");
        Add("random_page_cost", storage == StorageKind.Hdd ? "4" : "1.1", $"{storage.ToString().ToUpperInvariant()} storage");
        Add("effective_io_concurrency", storage switch { StorageKind.Hdd => "2", StorageKind.San => "300", StorageKind.Nvme => "1000", _ => "200" }, $"{storage.ToString().ToUpperInvariant()} storage, Linux");

        int? workers = null;
        if (cores >= 4)
        {
            workers = cores;
            var perGather = (int)Math.Ceiling(cores / 2.0);
            Add("max_worker_processes", cores.ToString(CultureInfo.InvariantCulture), $"{cores} CPUs");
            Add("max_parallel_workers_per_gather", (profile == PostgresProfile.Dw ? perGather : Math.Min(perGather, 4)).ToString(CultureInfo.InvariantCulture), $"⌈{cores} CPUs / 2⌉{(profile == PostgresProfile.Dw ? "" : ", at most 4")}");
            Add("max_parallel_workers", cores.ToString(CultureInfo.InvariantCulture), $"{cores} CPUs");
            Add("max_parallel_maintenance_workers", Math.Min(perGather, 4).ToString(CultureInfo.InvariantCulture), $"⌈{cores} CPUs / 2⌉, at most 4");
        }

        var divisor = (connections + (workers ?? 8)) * 3.0;
        var workMem = (ram - sharedBuffers) / divisor;
        workMem = profile switch { PostgresProfile.Dw or PostgresProfile.Mixed => workMem / 2, PostgresProfile.Desktop => workMem / 6, _ => workMem };
        workMem = Math.Max(Math.Floor(workMem), 4 * Mb);
        Add("work_mem", Format((long)workMem), $"(RAM − shared_buffers) / ((max_connections {connections} + workers {workers ?? 8}) × 3){(profile is PostgresProfile.Dw or PostgresProfile.Mixed ? " / 2" : profile == PostgresProfile.Desktop ? " / 6" : "")}, at least 4MB");
        Add("huge_pages", sharedBuffers >= 2 * Gb ? "try" : "off", "try when shared_buffers ≥ 2GB");
        if (majorVersion >= 12 && profile is PostgresProfile.Web or PostgresProfile.Oltp or PostgresProfile.Mixed)
            Add("jit", "off", "short queries of web/OLTP/mixed workloads pay JIT's compile time (PGTune 2026)");
        if (majorVersion >= 10)
            Add("wal_compression", majorVersion >= 15 ? "lz4" : "on", majorVersion >= 15 ? "lz4 from PostgreSQL 15" : "on for 10-14");
        if (cores >= 16)
            Add("autovacuum_max_workers", cores >= 32 ? "5" : "4", $"{cores} CPUs");
        if (profile == PostgresProfile.Desktop)
        {
            Add("wal_level", "minimal", "desktop profile");
            Add("max_wal_senders", "0", "desktop profile");
        }

        return settings;
    }

    /// <summary>kB as PGTune writes them: <c>2GB</c>, <c>512MB</c>, <c>10280kB</c>.</summary>
    public static string Format(long kb) =>
        kb % Gb == 0 ? $"{kb / Gb}GB" : kb % Mb == 0 ? $"{kb / Mb}MB" : $"{kb}kB";

    /// <summary>A size as PostgreSQL prints it (<c>128MB</c>, <c>4096</c> in 8kB pages for shared_buffers) in kB, or null when it is not a size.</summary>
    public static long? ToKb(string value, string? unit = null)
    {
        var text = value.Trim().Trim('\'');
        var digits = new string([.. text.TakeWhile(c => char.IsDigit(c) || c == '.')]);
        if (!double.TryParse(digits, CultureInfo.InvariantCulture, out var number))
            return null;
        var suffix = text[digits.Length..].Trim().ToUpperInvariant();
        if (suffix.Length == 0 && unit is not null)
            suffix = unit.ToUpperInvariant();
        return suffix switch
        {
            "KB" => (long)number,
            "MB" => (long)(number * Mb),
            "GB" => (long)(number * Gb),
            "TB" => (long)(number * Gb * 1024),
            "8KB" => (long)(number * 8),
            "B" => (long)(number / 1024),
            _ => null,
        };
    }

    private static string Name(PostgresProfile profile) => profile.ToString().ToLowerInvariant();
}
