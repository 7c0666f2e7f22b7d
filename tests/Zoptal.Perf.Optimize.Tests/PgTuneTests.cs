using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize;
using Zoptal.Perf.Optimize.Postgres;

namespace Zoptal.Perf.Optimize.Tests;

public sealed class PgTuneTests
{
    [Fact]
    public void The_golden_case_8GB_web_4_CPUs_SSD_PostgreSQL_17_matches_PGTune()
    {
        // PGTune's own form sets max_connections 200 for web, and sizes work_mem for it.
        var settings = PgTune.Recommend(8L * 1024 * 1024 * 1024, 4, PostgresProfile.Web, StorageKind.Ssd, 17, maxConnections: 200).ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal("2GB", settings["shared_buffers"]);
        Assert.Equal("6GB", settings["effective_cache_size"]);
        Assert.Equal("512MB", settings["maintenance_work_mem"]);
        Assert.Equal("0.9", settings["checkpoint_completion_target"]);
        Assert.Equal("16MB", settings["wal_buffers"]);
        Assert.Equal("100", settings["default_statistics_target"]);
        Assert.Equal("1.1", settings["random_page_cost"]);
        Assert.Equal("200", settings["effective_io_concurrency"]);
        Assert.Equal("10280kB", settings["work_mem"]);
        Assert.Equal("try", settings["huge_pages"]);
        Assert.Equal(("1GB", "4GB"), (settings["min_wal_size"], settings["max_wal_size"]));
        Assert.Equal(("4", "2", "4", "2"), (settings["max_worker_processes"], settings["max_parallel_workers_per_gather"], settings["max_parallel_workers"], settings["max_parallel_maintenance_workers"]));
        Assert.Equal("off", settings["jit"]);
        Assert.Equal("lz4", settings["wal_compression"]);
    }

    [Fact]
    public void A_small_container_gets_small_settings_and_the_floors()
    {
        // 1 GB and 2 CPUs (a container limit, not the host): no parallel settings, work_mem at its 4MB floor.
        var settings = PgTune.Recommend(1024L * 1024 * 1024, 2, PostgresProfile.Web, StorageKind.Hdd, 14).ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal("256MB", settings["shared_buffers"]);
        Assert.Equal("7864kB", settings["wal_buffers"]);
        Assert.Equal("4MB", settings["work_mem"]);
        Assert.Equal("off", settings["huge_pages"]);
        Assert.Equal("4", settings["random_page_cost"]);
        Assert.Equal("2", settings["effective_io_concurrency"]);
        Assert.Equal("on", settings["wal_compression"]);
        Assert.False(settings.ContainsKey("max_worker_processes"));
    }

    [Theory]
    [InlineData("cgroup2", 1.5, 2L * 1024 * 1024 * 1024)]
    [InlineData("cgroup1", 2, 512L * 1024 * 1024)]
    [InlineData("host", 8, 16L * 1024 * 1024 * 1024)]
    public void Limits_come_from_cgroup_v2_or_v1_else_the_host(string kind, double cpus, long memory)
    {
        var root = Directory.CreateTempSubdirectory("zoptal-cgroup-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "proc"));
            File.WriteAllText(Path.Combine(root, "proc/meminfo"), "MemTotal:       16777216 kB\nMemFree:         1000 kB\n");
            var cgroup = Directory.CreateDirectory(Path.Combine(root, "sys/fs/cgroup")).FullName;
            if (kind == "cgroup2")
            {
                File.WriteAllText(Path.Combine(cgroup, "cpu.max"), "150000 100000\n");
                File.WriteAllText(Path.Combine(cgroup, "memory.max"), "2147483648\n");
            }
            else if (kind == "cgroup1")
            {
                Directory.CreateDirectory(Path.Combine(cgroup, "cpu"));
                Directory.CreateDirectory(Path.Combine(cgroup, "memory"));
                File.WriteAllText(Path.Combine(cgroup, "cpu/cpu.cfs_quota_us"), "200000\n");
                File.WriteAllText(Path.Combine(cgroup, "cpu/cpu.cfs_period_us"), "100000\n");
                File.WriteAllText(Path.Combine(cgroup, "memory/memory.limit_in_bytes"), "536870912\n");
            }

            var limits = LimitsReader.Read(root, hostCpus: 8);
            Assert.Equal((cpus, memory), (limits.Cpus, limits.MemoryBytes));
            Assert.StartsWith(kind == "host" ? "the host" : "cgroup:", limits.Source);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Unlimited_cgroups_fall_back_to_the_host()
    {
        var root = Directory.CreateTempSubdirectory("zoptal-cgroup-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "proc"));
        File.WriteAllText(Path.Combine(root, "proc/meminfo"), "MemTotal:       8388608 kB\n");
        var cgroup = Directory.CreateDirectory(Path.Combine(root, "sys/fs/cgroup")).FullName;
        File.WriteAllText(Path.Combine(cgroup, "cpu.max"), "max 100000\n");
        File.WriteAllText(Path.Combine(cgroup, "memory.max"), "max\n");
        var limits = LimitsReader.Read(root, hostCpus: 4);
        Assert.Equal((4.0, 8L * 1024 * 1024 * 1024), (limits.Cpus, limits.MemoryBytes));
        Directory.Delete(root, recursive: true);
    }
}
