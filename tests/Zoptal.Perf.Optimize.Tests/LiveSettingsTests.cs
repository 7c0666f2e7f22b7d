using Npgsql;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize;
using Zoptal.Perf.Optimize.Postgres;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Testing;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>The live server's settings on a real PostgreSQL cluster, read-only, turned into an ALTER SYSTEM script.</summary>
public sealed class LiveSettingsTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>, IDisposable
{
    // The live server's machine, as the config says it (the server itself runs on the test machine).
    private static readonly OptimizeConfig Config = new()
    {
        PostgresProfile = PostgresProfile.Web,
        Storage = StorageKind.Ssd,
        Targets = [new OptimizeTarget { Database = true, Cpus = 4, MemoryBytes = 8L * 1024 * 1024 * 1024, Where = "test config" }],
    };
    private readonly string _root = Directory.CreateTempSubdirectory("zoptal-live-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private OptimizeOutcome Run(DatabaseConfig database, bool apply) => OptimizeSession.Run(
        new OptimizeRequest(_root, Config, Path.Combine(_root, "performance-results"), DateTimeOffset.UtcNow)
        {
            Areas = new HashSet<Area> { Area.Postgres },
            Apply = apply,
            Database = database,
        });

    [Fact]
    public async Task The_servers_settings_are_compared_with_PGTune_and_written_as_an_ALTER_SYSTEM_script_never_applied_to_the_server()
    {
        var database = new DatabaseConfig { ConnectionString = postgres.ConnectionString };
        var first = Run(database, apply: true);

        var shared = first.Findings.Single(f => f.RuleId == "pgtune-shared-buffers");
        // The server runs on the test machine, whose cgroup and memory differ from the config's 4 CPUs and 8GB: the config wins, and says so.
        Assert.Contains(first.Findings, f => f.RuleId == "target-disagreement" && f.Evidence.Contains("8GB (test config) against", StringComparison.Ordinal));
        Assert.Matches(@"^shared_buffers: 128MB on 127\.0\.0\.1:\d+/postgres → 2GB$", shared.Title);
        Assert.Contains("live value from pg_settings", shared.Evidence);
        var script = File.ReadAllText(Path.Combine(_root, PostgresRules.SettingsScript));
        Assert.Contains("ALTER SYSTEM SET shared_buffers = '2GB'; -- (restart)\n", script);
        Assert.Contains("ALTER SYSTEM SET work_mem = '", script);
        Assert.DoesNotContain("max_connections", script); // sized for the server's own max_connections

        // Read-only: the server still runs with its own value.
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW shared_buffers", connection);
        Assert.Equal("128MB", await show.ExecuteScalarAsync());

        Assert.Empty(Run(database, apply: true).Patches); // the script is already there
    }

    [Fact]
    public void A_server_that_cannot_be_reached_is_a_finding()
    {
        var outcome = Run(new DatabaseConfig { ConnectionString = "Host=127.0.0.1;Port=1;Database=x;Username=y" }, apply: false);
        var finding = Assert.Single(outcome.Findings);
        Assert.Equal("postgres-unreachable", finding.RuleId);
        Assert.Contains("127.0.0.1:1/x", finding.Title);
    }

    [Fact]
    public void Findings_name_the_metrics_of_the_newest_run_they_should_move()
    {
        NewestRun.Write(Path.Combine(_root, "performance-results"),
            NewestRun.Database(97.5, [new QueryStat("SELECT 1", 2, 84.5, 42.25, 2, null)],
                new DbFinding("missing-index", Severity.Warning, "missing index on users (lower(email))", "e",
                    "CREATE INDEX CONCURRENTLY idx_users_lower_email ON public.users (lower(email));")),
            ("auth", 180.2, 120.5));
        var outcome = Run(new DatabaseConfig { ConnectionString = postgres.ConnectionString }, apply: false);
        Assert.Equal("slowest statement's mean 42.25 ms; auth p95 180.2 ms, 120.5 req/s", outcome.Findings.Single(f => f.RuleId == "postgres-missing-index").Moves);
        Assert.Equal("table cache hit rate 97.5 %", outcome.Findings.Single(f => f.RuleId == "pgtune-shared-buffers").Moves);
        Assert.Contains("expected to move: table cache hit rate 97.5 %", File.ReadAllText(outcome.ReportPath));
    }
}
