using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize.Docker;
using Zoptal.Perf.Optimize.Postgres;
using Zoptal.Perf.Optimize.Targets;
using static Zoptal.Perf.Optimize.Tests.Support;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>postgresql.conf sized for its target, never the host: the sources of the target, versions, defaults, includes and units.</summary>
public sealed class PostgresRulesTests
{
    private const string Stock = "max_connections = 100\nshared_buffers = 128MB\n#work_mem = 4MB\n#effective_cache_size = 4GB\nlog_timezone = 'UTC'\n";

    private static Dictionary<string, string> Settings(string text, Target target, string root = "/nonexistent")
    {
        var findings = PostgresRules.ForFile(root, "postgresql.conf", text, target);
        return PostgresConf.Parse("postgresql.conf", Patched(text, findings)).Entries.Where(e => !e.IsInclude).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Last().Unquoted);
    }

    [Fact]
    public void Without_a_known_machine_only_what_does_not_depend_on_it_is_recommended()
    {
        var findings = PostgresRules.ForFile("/nonexistent", "postgresql.conf", Stock, Target());
        var unknown = Assert.Single(findings, f => f.RuleId == "pgtune-target-unknown");
        Assert.Contains("optimize.targets", unknown.Recommendation);
        Assert.Contains("shared_buffers", unknown.Evidence);
        Assert.DoesNotContain(findings, f => f.RuleId is "pgtune-shared-buffers" or "pgtune-work-mem" or "pgtune-effective-cache-size" or "pgtune-min-wal-size" or "pgtune-wal-compression" or "pgtune-jit");
        Assert.Contains(findings, f => f.RuleId == "pgtune-random-page-cost");
    }

    [Fact]
    public void Hand_set_values_are_not_overwritten_with_a_profile_or_storage_nobody_stated()
    {
        // Real files: a DW benchmark's default_statistics_target = 500 and HDD costs, in a container of 1.5GB; nobody said
        // the workload or the disks, and PGTune asks for both, so what depends on them is advice, never a patch.
        const string text = "default_statistics_target = 500\nrandom_page_cost = 4.0\nshared_buffers = 512MB\ncheckpoint_completion_target = 0.5\n";
        var unstated = Targets.Target.Unknown(new OptimizeConfig()).Or(new PartialTarget(new(2, "compose"), new(1536L << 20, "compose"), new(15, "image postgres:15")));
        var findings = PostgresRules.ForFile("/nonexistent", "postgresql.conf", text, unstated);
        foreach (var id in new[] { "pgtune-default-statistics-target", "pgtune-random-page-cost", "pgtune-shared-buffers" })
        {
            var finding = Assert.Single(findings, f => f.RuleId == id);
            Assert.Empty(finding.Edits);
            Assert.Contains(id.Contains("random", StringComparison.Ordinal) ? "optimize.storage" : "optimize.postgresProfile", finding.NotPatched, StringComparison.Ordinal);
        }

        Assert.Equal("0.9", Settings(text, unstated)["checkpoint_completion_target"]); // depends on neither
        Assert.Equal("500", Settings(text, unstated)["default_statistics_target"]);

        // Stated in the config, the same file is sized.
        var stated = Targets.Target.Unknown(new OptimizeConfig { PostgresProfile = PostgresProfile.Oltp, Storage = StorageKind.Ssd })
            .Or(new PartialTarget(new(2, "compose"), new(1536L << 20, "compose"), new(15, "image postgres:15")));
        Assert.Equal(("100", "1.1", "384MB"), (Settings(text, stated)["default_statistics_target"], Settings(text, stated)["random_page_cost"], Settings(text, stated)["shared_buffers"]));
    }

    [Fact]
    public void Max_worker_processes_raised_for_extensions_is_never_lowered_and_defaults_are_not_added()
    {
        const string text = "shared_preload_libraries = 'timescaledb'\nmax_worker_processes = 128\n";
        var settings = Settings(text, Target(cpus: 8, memoryGb: 32, postgres: 16));
        Assert.Equal("128", settings["max_worker_processes"]);
        Assert.Equal("4", settings["max_parallel_workers_per_gather"]);

        // Version unknown: default_statistics_target = 100 is every version's default, so it is not added.
        Assert.False(Settings("", Target(cpus: 8, memoryGb: 32)).ContainsKey("default_statistics_target"));
    }

    [Theory]
    [InlineData(9.4)]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(14)]
    [InlineData(15)]
    public void A_patch_never_adds_a_setting_the_version_lacks_nor_one_equal_to_its_default(double version)
    {
        var settings = Settings(Stock, Target(cpus: 6, memoryGb: 16, postgres: version));
        Assert.Equal(version >= 9.5, settings.ContainsKey("min_wal_size"));
        Assert.Equal(version >= 9.5, settings.ContainsKey("max_wal_size"));
        Assert.Equal(version >= 12, settings.ContainsKey("jit")); // PGTune turns it off from 12, where it is on by default; 11 has it off already
        Assert.Equal(version >= 10, settings.ContainsKey("wal_compression"));
        if (settings.TryGetValue("wal_compression", out var compression))
            Assert.Equal(version >= 15 ? "lz4" : "on", compression);
        Assert.Equal(version >= 11, settings.ContainsKey("max_parallel_maintenance_workers"));
        Assert.Equal(version >= 10, settings.ContainsKey("max_parallel_workers"));
        Assert.Equal(version < 14, settings.ContainsKey("checkpoint_completion_target")); // 0.9 is the default from 14
        Assert.False(settings.ContainsKey("huge_pages")); // try is the default
        Assert.False(settings.ContainsKey("default_statistics_target")); // 100 is the default
        Assert.Equal("12GB", settings["effective_cache_size"]); // never above the target's 16GB
    }

    [Fact]
    public void Values_are_written_in_the_largest_whole_unit()
    {
        // 7.85 GiB of RAM, as a cgroup or /proc/meminfo gives it: 3/4 is 6170905kB, written 6GB.
        var settings = Settings(Stock, Target(cpus: 4, memoryGb: 7.847, postgres: 16));
        Assert.Equal("6GB", settings["effective_cache_size"]);
        Assert.Equal("2GB", settings["shared_buffers"]);
        Assert.Matches("^[0-9]+MB$", settings["work_mem"]);
        Assert.Equal("6GB", PgSize.Readable(6170905));
        Assert.Equal("1536MB", PgSize.Readable(1536 * 1024));
        Assert.Equal("7864kB", PgSize.Readable(7864));

        // The trailing comment keeps its column (the stock file's layout); a tab before it is left as it is.
        const string aligned = "shared_buffers = 256MB                  # min 128kB\nwork_mem = 655kB\t# min 64kB\n";
        var target = Target(cpus: 4, memoryGb: 8, postgres: 16);
        Assert.Equal("shared_buffers = 2GB                    # min 128kB\nwork_mem = 20MB\t# min 64kB\n",
            Patched(aligned, PostgresRules.ForFile("/nonexistent", "postgresql.conf", aligned, target).Where(f => f.RuleId is "pgtune-shared-buffers" or "pgtune-work-mem")));
    }

    [Fact]
    public void An_edit_lands_where_no_later_include_overrides_it()
    {
        using var repository = new Repository(("conf/postgresql.conf", "shared_buffers = 128MB\nwork_mem = 4MB\ninclude_dir 'conf.d'\n#random_page_cost = 4.0\n"),
            ("conf/conf.d/10-tuning.conf", "work_mem = 8MB\n"));
        var text = repository.Read("conf/postgresql.conf");
        var findings = PostgresRules.ForFile(repository.Root, "conf/postgresql.conf", text, Target(cpus: 4, memoryGb: 8, postgres: 16));
        var patched = Patched(text, findings);
        // shared_buffers is not set after the include: edited in place. work_mem is, in conf.d: the new value goes after the include.
        Assert.StartsWith("shared_buffers = 2GB\nwork_mem = 4MB\ninclude_dir 'conf.d'\n#random_page_cost = 4.0\n", patched);
        Assert.Contains("\nwork_mem = ", patched[patched.IndexOf("include_dir", StringComparison.Ordinal)..]);
        var workMem = findings.Single(f => f.RuleId == "pgtune-work-mem");
        Assert.Contains("8MB →", workMem.Title); // the effective value, from the included file
        Assert.Contains("conf/conf.d/10-tuning.conf:1", workMem.Evidence);
        Assert.Contains("after the include_dir at line 3", workMem.Evidence);
    }

    [Fact]
    public void The_target_comes_from_the_config_then_compose_then_a_PGTune_header_then_the_live_server()
    {
        using var repository = new Repository(
            ("docker-compose.yml", "services:\n  db:\n    image: postgres:14-alpine\n    volumes: [./db/postgresql.conf:/etc/postgresql/postgresql.conf]\n    deploy: { resources: { limits: { cpus: '2', memory: 4G } } }\n"),
            ("db/postgresql.conf", "# DB Version: 16\n# OS Type: linux\n# DB Type: dw\n# Total Memory (RAM): 32 GB\n# CPUs num: 8\n# Data Storage: ssd\nshared_buffers = 8GB\n"),
            ("other/postgresql.conf", "# DB Version: 13\n# DB Type: oltp\n# Total Memory (RAM): 16 GB\n# CPUs num: 4\n"));
        var services = ComposeFile.Load(repository.Root, "docker-compose.yml", repository.Read("docker-compose.yml"));
        var config = new OptimizeConfig { Targets = [new OptimizeTarget { Files = ["db/*.conf"], MemoryBytes = 8L << 30, Where = "perf-config.yml:120" }] };
        var resolver = new TargetResolver(repository.Root, config, services, new LiveServer("127.0.0.1:5432/app", 17, new Limits(2, 24L << 30, "cgroup")));

        var db = resolver.ForFile("db/postgresql.conf", repository.Read("db/postgresql.conf"), postgres: true);
        Assert.Equal((8L << 30, "perf-config.yml:120"), (db.Memory!.Value, db.Memory.Source)); // the config first
        Assert.Equal(2, db.Cpus!.Value); // then the compose service that mounts it
        Assert.Equal(14, db.PostgresVersion!.Value); // its image tag
        Assert.Equal(PostgresProfile.Dw, db.Profile.Value); // the PGTune header's profile
        Assert.Contains(db.Disagreements, d => d.Contains("8GB (perf-config.yml:120) against 4GB", StringComparison.Ordinal));
        Assert.Contains(db.Disagreements, d => d.Contains("PostgreSQL 14", StringComparison.Ordinal) && d.Contains("PostgreSQL 16", StringComparison.Ordinal));

        // A PGTune file for a 16 GB, 4-CPU OLTP box on 13 stays sized for it, not for this machine or the live server.
        var other = resolver.ForFile("other/postgresql.conf", repository.Read("other/postgresql.conf"), postgres: true);
        Assert.Equal((16L << 30, 4.0, 13.0, PostgresProfile.Oltp), (other.Memory!.Value, other.Cpus!.Value, other.PostgresVersion!.Value, other.Profile.Value));
        var settings = Settings(repository.Read("other/postgresql.conf"), other, repository.Root);
        Assert.Equal("12GB", settings["effective_cache_size"]);
        Assert.Equal("2GB", settings["min_wal_size"]); // OLTP, as the header says
    }

    [Fact]
    public void A_value_already_right_in_other_units_is_left_alone_and_a_second_run_finds_nothing()
    {
        var target = Target(cpus: 4, memoryGb: 8, postgres: 15);
        var first = PostgresRules.ForFile("/nonexistent", "postgresql.conf", Stock, target);
        var patched = Patched(Stock, first);
        Assert.All(PostgresRules.ForFile("/nonexistent", "postgresql.conf", patched, target), f => Assert.Empty(f.Edits));
        Assert.DoesNotContain(PostgresRules.ForFile("/nonexistent", "postgresql.conf", "shared_buffers = 262144\n", target), f => f.RuleId == "pgtune-shared-buffers"); // 2GB in 8kB pages
    }

    [Fact]
    public void Minimal_wal_is_never_set_where_archiving_is_on()
    {
        var settings = Settings("archive_mode = on\n", Target(cpus: 2, memoryGb: 2, postgres: 15, profile: PostgresProfile.Desktop));
        Assert.False(settings.ContainsKey("wal_level"));
    }
}
