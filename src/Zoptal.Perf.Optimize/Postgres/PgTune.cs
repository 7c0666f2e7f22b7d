using System.Globalization;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Optimize.Postgres;

/// <summary>A recommended setting: its value as postgresql.conf writes it, and the formula with its inputs.</summary>
public sealed record TunedSetting(string Name, string Value, string Formula);

/// <summary>The machine PGTune's formulas are fed with; null fields are unknown, and the settings that need them are not made.</summary>
public sealed record PgTuneInput(long? MemoryBytes, double? Cpus, double? Version, PostgresProfile Profile, StorageKind Storage, int? MaxConnections = null);

/// <summary>
/// PGTune's formulas (le0pard/pgtune, configurationSlice.js; see shared/reference/postgres-and-configs.md), fed with
/// the target machine's memory and CPUs, never the machine Optimize runs on. Values are computed in kB, as PGTune
/// does. Settings that need an unknown input are left out; each carries the versions it exists in.
/// </summary>
public static class PgTune
{
    private const long Mb = 1024;
    private const long Gb = 1024 * 1024;

    /// <summary>Settings whose PGTune value changes with the workload profile (web, OLTP, DW, desktop, mixed).</summary>
    public static bool DependsOnProfile(string name) => name is "default_statistics_target" or "min_wal_size" or "max_wal_size" or "jit" or "wal_level"
        or "max_wal_senders" or "shared_buffers" or "effective_cache_size" or "maintenance_work_mem" or "work_mem" or "wal_buffers" or "huge_pages"
        or "max_parallel_workers_per_gather";

    /// <summary>Settings whose PGTune value changes with the storage (SSD, HDD, SAN, NVMe).</summary>
    public static bool DependsOnStorage(string name) => name is "random_page_cost" or "effective_io_concurrency";

    /// <summary>PGTune's values for a machine (exact, as PGTune writes them); the names it could not size are in <paramref name="skipped"/>.</summary>
    public static IReadOnlyList<TunedSetting> Recommend(PgTuneInput input, out IReadOnlyList<string> skipped)
    {
        var settings = new List<TunedSetting>();
        var notMade = new List<string>();
        var profile = input.Profile;
        void Add(string name, string value, string formula)
        {
            if (input.Version is { } version && !PgSettings.All[name].ExistsIn(version))
                return;
            settings.Add(new TunedSetting(name, value, formula));
        }

        var connections = input.MaxConnections ?? 100;
        var connectionsSource = input.MaxConnections is null ? "max_connections 100, the default" : $"max_connections {connections}";
        Add("checkpoint_completion_target", "0.9", "PGTune's constant");
        Add("default_statistics_target", profile == PostgresProfile.Dw ? "500" : "100", $"{Name(profile)} profile");
        Add("random_page_cost", input.Storage == StorageKind.Hdd ? "4" : "1.1", $"{input.Storage.ToString().ToUpperInvariant()} storage");
        Add("effective_io_concurrency", input.Storage switch { StorageKind.Hdd => "2", StorageKind.San => "300", StorageKind.Nvme => "1000", _ => "200" }, $"{input.Storage.ToString().ToUpperInvariant()} storage, Linux");

        if (input.Version is { } v)
        {
            var (minWal, maxWal) = profile switch
            {
                PostgresProfile.Oltp => ("2GB", "8GB"),
                PostgresProfile.Dw => ("4GB", "16GB"),
                PostgresProfile.Desktop => ("100MB", "2GB"),
                _ => ("1GB", "4GB"),
            };
            Add("min_wal_size", minWal, $"{Name(profile)} profile");
            Add("max_wal_size", maxWal, $"{Name(profile)} profile");
            if (v >= 12 && profile is PostgresProfile.Web or PostgresProfile.Oltp or PostgresProfile.Mixed)
                Add("jit", "off", "short queries of web/OLTP/mixed workloads pay JIT's compile time (PGTune 2026)");
            if (v >= 10)
                Add("wal_compression", v >= 15 ? "lz4" : "on", v >= 15 ? "lz4 from PostgreSQL 15" : "on for 10-14");
            if (profile == PostgresProfile.Desktop)
            {
                Add("wal_level", "minimal", "desktop profile");
                Add("max_wal_senders", "0", "desktop profile");
            }
        }
        else
        {
            notMade.AddRange(["min_wal_size", "max_wal_size", "jit", "wal_compression"]);
        }

        int? workers = null;
        if (input.Cpus is { } cpus)
        {
            var cores = (int)Math.Floor(cpus);
            if (cores >= 4)
            {
                workers = cores;
                var perGather = (int)Math.Ceiling(cores / 2.0);
                Add("max_worker_processes", cores.ToString(CultureInfo.InvariantCulture), $"{cores} CPUs");
                Add("max_parallel_workers_per_gather", (profile == PostgresProfile.Dw ? perGather : Math.Min(perGather, 4)).ToString(CultureInfo.InvariantCulture), $"⌈{cores} CPUs / 2⌉{(profile == PostgresProfile.Dw ? "" : ", at most 4")}");
                Add("max_parallel_workers", cores.ToString(CultureInfo.InvariantCulture), $"{cores} CPUs");
                Add("max_parallel_maintenance_workers", Math.Min(perGather, 4).ToString(CultureInfo.InvariantCulture), $"⌈{cores} CPUs / 2⌉, at most 4");
            }

            if (cores >= 16)
                Add("autovacuum_max_workers", cores >= 32 ? "5" : "4", $"{cores} CPUs");
        }
        else
        {
            notMade.AddRange(["max_worker_processes", "max_parallel_workers_per_gather", "max_parallel_workers", "max_parallel_maintenance_workers"]);
        }

        if (input.MemoryBytes is { } bytes)
        {
            var ram = bytes / 1024; // kB
            var ramText = PgSize.Readable(ram);
            var sharedBuffers = profile == PostgresProfile.Desktop ? ram / 16 : ram / 4;
            Add("shared_buffers", PgSize.Format(sharedBuffers), $"RAM {ramText} / {(profile == PostgresProfile.Desktop ? 16 : 4)}");
            Add("effective_cache_size", PgSize.Format(profile == PostgresProfile.Desktop ? ram / 4 : ram * 3 / 4), $"RAM {ramText} × {(profile == PostgresProfile.Desktop ? "1/4" : "3/4")}");
            var maintenance = Math.Min(profile == PostgresProfile.Dw ? ram / 8 : ram / 16, 8 * Gb);
            Add("maintenance_work_mem", PgSize.Format(maintenance), $"RAM {ramText} / {(profile == PostgresProfile.Dw ? 8 : 16)}, at most 8GB");
            var walBuffers = sharedBuffers * 3 / 100;
            if (walBuffers > 14 * Mb)
                walBuffers = 16 * Mb; // PGTune caps at 16MB and rounds values near the cap up to it
            walBuffers = Math.Max(walBuffers, 32);
            Add("wal_buffers", PgSize.Format(walBuffers), "3 % of shared_buffers, at most 16MB, at least 32kB");
            if (input.Cpus is not null)
            {
                var divisor = (connections + (workers ?? 8)) * 3.0;
                var workMem = (ram - sharedBuffers) / divisor;
                workMem = profile switch { PostgresProfile.Dw or PostgresProfile.Mixed => workMem / 2, PostgresProfile.Desktop => workMem / 6, _ => workMem };
                workMem = Math.Max(Math.Floor(workMem), 4 * Mb);
                Add("work_mem", PgSize.Format((long)workMem), $"(RAM − shared_buffers) / (({connectionsSource} + workers {workers ?? 8}) × 3){(profile is PostgresProfile.Dw or PostgresProfile.Mixed ? " / 2" : profile == PostgresProfile.Desktop ? " / 6" : "")}, at least 4MB");
            }
            else
            {
                notMade.Add("work_mem");
            }

            Add("huge_pages", sharedBuffers >= 2 * Gb ? "try" : "off", "try when shared_buffers ≥ 2GB");
        }
        else
        {
            notMade.AddRange(["shared_buffers", "effective_cache_size", "maintenance_work_mem", "wal_buffers", "work_mem", "huge_pages"]);
        }

        skipped = notMade;
        return settings;
    }

    /// <summary>The settings for a machine whose every input is known (PGTune's own form).</summary>
    public static IReadOnlyList<TunedSetting> Recommend(long memoryBytes, double cpus, PostgresProfile profile, StorageKind storage, double version, int? maxConnections = null) =>
        Recommend(new PgTuneInput(memoryBytes, cpus, version, profile, storage, maxConnections), out _);

    private static string Name(PostgresProfile profile) => profile.ToString().ToLowerInvariant();
}
