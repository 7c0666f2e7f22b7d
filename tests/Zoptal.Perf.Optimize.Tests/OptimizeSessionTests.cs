using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize;
using Zoptal.Perf.Optimize.Patching;
using Zoptal.Perf.Probes.Postgres;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>Optimize over a copy of samples/platform: the diffs it proposes, applying them once, and the files it must not touch.</summary>
public sealed class OptimizeSessionTests : IDisposable
{
    // The auth service's machine (the sample's postgres service has its limits and version in the compose file).
    private static readonly OptimizeConfig Config = new()
    {
        PostgresProfile = PostgresProfile.Web,
        Storage = StorageKind.Ssd,
        Targets = [new OptimizeTarget { Files = ["services/auth-service/**"], Cpus = 2, MemoryBytes = 2L * 1024 * 1024 * 1024, Where = "test config" }],
    };
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("zoptal-optimize-").FullName;

    public OptimizeSessionTests()
    {
        var samples = Path.Combine(RepositoryRoot(), "samples", "platform");
        foreach (var file in Directory.GetFiles(samples, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_root, Path.GetRelativePath(samples, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Zoptal.Perf.sln")))
                return d.FullName;
        }

        throw new InvalidOperationException("repository root not found");
    }

    private OptimizeOutcome Run(bool apply = false, params Area[] areas) => OptimizeSession.Run(
        new OptimizeRequest(_root, Config, Path.Combine(_root, "performance-results"), Now)
        {
            Apply = apply,
            Areas = areas.Length == 0 ? Enum.GetValues<Area>().ToHashSet() : areas.ToHashSet(),
        });

    private string Read(string path) => File.ReadAllText(Path.Combine(_root, path)).Replace("\r\n", "\n");

    [Fact]
    public void The_dry_run_proposes_exact_diffs_and_writes_only_the_report()
    {
        var before = Read("services/project-service/Dockerfile");
        var outcome = Run();

        Assert.Equal(["apps/web/Dockerfile", "apps/web/next.config.js", "docker-compose.yml", "postgres/postgresql.conf", "services/auth-service/Dockerfile",
            "services/auth-service/ecosystem.config.js", "services/project-service/Dockerfile"], outcome.Files);
        var project = outcome.Diffs.Single(d => d.Contains("project-service/Dockerfile"));
        Assert.Equal("""
            --- a/services/project-service/Dockerfile
            +++ b/services/project-service/Dockerfile
            @@ -9,8 +9,9 @@
             FROM node:22-alpine
             WORKDIR /app
             COPY package*.json ./
            -RUN npm ci --omit-dev \
            +RUN npm ci --omit=dev \
                 && npm cache clean --force
            +ENV NODE_ENV=production
             COPY --from=build /app/dist ./dist
             EXPOSE 3002
            -CMD node dist/index.js
            +CMD ["node", "dist/index.js"]

            """.Replace("\r\n", "\n"), project);
        var conf = outcome.Diffs.Single(d => d.Contains("postgresql.conf"));
        Assert.Contains("-shared_buffers = 128MB\t\t\t# min 128kB\n+shared_buffers = 2GB\t\t\t# min 128kB\n", conf);
        Assert.Contains(" #work_mem = 4MB\t\t\t\t# min 64kB\n+work_mem = 20MB\t\t# Zoptal.Perf Optimize\n", conf); // 20164kB, in its largest whole unit
        Assert.Contains("-min_wal_size = 80MB\n", conf);
        Assert.Contains("+jit = off", conf);
        Assert.DoesNotContain("\n+max_connections", conf); // 100 as configured: work_mem is sized for it

        // Every finding carries evidence and a source; only the safe ones carry a patch.
        Assert.All(outcome.Findings, f => Assert.False(string.IsNullOrWhiteSpace(f.Evidence) || string.IsNullOrWhiteSpace(f.Link), f.RuleId));
        var workMem = outcome.Findings.Single(f => f.RuleId == "pgtune-work-mem");
        Assert.Contains("(RAM − shared_buffers) / ((max_connections 100 + workers 4) × 3)", workMem.Evidence);
        Assert.Contains("4 CPUs (docker-compose.yml service postgres: cpus limit), 8GB (docker-compose.yml service postgres: memory limit), PostgreSQL 15 (docker-compose.yml service postgres: image postgres:15)", workMem.Evidence);
        Assert.Null(outcome.Findings.Single(f => f.RuleId == "node-user" && f.File == "services/project-service/Dockerfile").Patch); // advice: the app may write where root owns the files
        Assert.Null(outcome.Findings.Single(f => f.RuleId == "cmd-node-not-npm").Patch);
        Assert.Contains(outcome.Findings, f => f.RuleId == "compose-postgres-shm" && f.Title.Contains("below shared_buffers 2GB"));
        Assert.DoesNotContain(outcome.Findings, f => f.RuleId == "compose-limits" && f.Title.StartsWith("project-service"));

        Assert.Equal(before, Read("services/project-service/Dockerfile"));
        Assert.Null(outcome.BackupPath);
        Assert.True(File.Exists(outcome.ReportPath));
        Assert.EndsWith("optimization-report-20261127_120000.md", outcome.ReportPath);
        Assert.Contains("```diff", File.ReadAllText(outcome.ReportPath));
        Assert.True(File.Exists(Path.ChangeExtension(outcome.ReportPath, ".json")));
    }

    [Fact]
    public void Apply_writes_the_patches_once_with_backups_and_a_second_apply_changes_nothing()
    {
        var original = Read("postgres/postgresql.conf");
        var first = Run(apply: true);
        Assert.Equal(5, first.Patches.Count);
        Assert.Equal(original, File.ReadAllText(Path.Combine(first.BackupPath!, "postgres/postgresql.conf")).Replace("\r\n", "\n"));
        Assert.Contains("shared_buffers = 2GB", Read("postgres/postgresql.conf"));
        Assert.Contains("RUN npm ci --omit=dev", Read("services/project-service/Dockerfile"));
        Assert.Contains("instances: 2, // one per core", Read("services/auth-service/ecosystem.config.js")); // the target's 2 CPUs, not the host's
        Assert.DoesNotContain("swcMinify", Read("apps/web/next.config.js"));
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));

        var second = Run(apply: true);
        Assert.Empty(second.Patches);
        Assert.Null(second.BackupPath);
        Assert.DoesNotContain(second.Findings, f => f.Area == Area.Postgres);
    }

    [Fact]
    public void Areas_choose_the_rules()
    {
        var postgres = Run(false, Area.Postgres);
        Assert.All(postgres.Findings, f => Assert.Equal(Area.Postgres, f.Area));
        Assert.Single(postgres.Patches);
    }

    [Fact]
    public void A_file_that_links_outside_the_repository_is_never_written()
    {
        var outside = Directory.CreateTempSubdirectory("zoptal-outside-").FullName;
        try
        {
            var victim = Path.Combine(outside, "Dockerfile");
            File.WriteAllText(victim, "FROM node:latest\nCMD npm start\n");
            File.Delete(Path.Combine(_root, "services/auth-service/Dockerfile"));
            File.CreateSymbolicLink(Path.Combine(_root, "services/auth-service/Dockerfile"), victim);
            Directory.CreateSymbolicLink(Path.Combine(_root, "linked"), outside);

            var error = Assert.Throws<InvalidParameterException>(() => PatchWriter.Resolve(_root, "services/auth-service/Dockerfile"));
            Assert.Contains("outside the repository", error.Message);
            Assert.Throws<InvalidParameterException>(() => PatchWriter.Resolve(_root, "../etc/passwd"));
            Assert.Throws<InvalidParameterException>(() => PatchWriter.Resolve(_root, "linked/Dockerfile"));

            // The whole apply stops before writing anything: the other files stay as they were.
            var conf = Read("postgres/postgresql.conf");
            Assert.Throws<InvalidParameterException>(() => PatchWriter.Apply(_root,
                [new FilePatch("postgres/postgresql.conf", conf, conf + "# x\n"), new FilePatch("services/auth-service/Dockerfile", File.ReadAllText(victim), "FROM scratch\n")], Now));
            Assert.Equal(conf, Read("postgres/postgresql.conf"));
            Assert.Equal("FROM node:latest\nCMD npm start\n", File.ReadAllText(victim));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void An_unparseable_compose_file_is_reported_and_left_alone_and_a_changed_file_is_not_overwritten()
    {
        File.WriteAllText(Path.Combine(_root, "docker-compose.yml"), "services:\n  web: [unclosed\n");
        var outcome = Run(apply: true);
        Assert.Contains(outcome.Findings, f => f.RuleId == "compose-unreadable" && f.File == "docker-compose.yml");
        Assert.Equal("services:\n  web: [unclosed\n", Read("docker-compose.yml"));

        var conf = Read("postgres/postgresql.conf");
        var stale = new FilePatch("postgres/postgresql.conf", conf + "# what Optimize read\n", "anything");
        Assert.Throws<RunFailedException>(() => PatchWriter.Apply(_root, [stale], Now));
        Assert.Equal(conf, Read("postgres/postgresql.conf"));
    }

    [Fact]
    public void The_database_analysis_of_the_newest_run_becomes_an_index_migration()
    {
        NewestRun.Write(Path.Combine(_root, "performance-results"), NewestRun.Database(null, [],
            new DbFinding("missing-index", Severity.Warning, "missing index on users (lower(email))", "plan: Seq Scan on users",
                "CREATE INDEX CONCURRENTLY idx_users_lower_email ON public.users (lower(email));"),
            new DbFinding("unused-index", Severity.Info, "x", "y"),
            new DbFinding("analyze", Severity.Info, "users has never been analyzed", "1,000 live rows", "ANALYZE public.users;")));
        var first = Run(true, Area.Postgres);
        var migration = Read(OptimizeSession.IndexMigrationPath);
        Assert.EndsWith("CREATE INDEX CONCURRENTLY idx_users_lower_email ON public.users (lower(email));\nANALYZE public.users;\n", migration);
        Assert.Contains("cannot run inside a transaction block", migration);
        Assert.Contains(first.Findings, f => f.RuleId == "postgres-missing-index");
        Assert.Empty(Run(true, Area.Postgres).Patches);
    }
}
