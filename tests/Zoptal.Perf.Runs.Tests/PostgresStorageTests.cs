using Npgsql;
using Zoptal.Perf.Catalog;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load;
using Zoptal.Perf.Runs.Display;
using Zoptal.Perf.Testing;
using Zoptal.SamplePlatform;

namespace Zoptal.Perf.Runs.Tests;

/// <summary>The sample platform on a real PostgreSQL cluster: schema with primary keys only, scenarios pass, rows land.</summary>
public sealed class PostgresStorageTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>
{
    [Fact]
    public async Task The_platform_creates_its_schema_with_primary_keys_only_and_the_scenarios_pass_on_it()
    {
        await using (var platform = await global::Zoptal.SamplePlatform.Platform.StartAsync(new PlatformOptions { PostgresConnectionString = postgres.ConnectionString, KdfIterations = 1_000 }))
        {
            Assert.Equal("postgresql", platform.StorageKind);
            var urls = platform.Urls.ToDictionary(u => u.Service, u => u.Url);
            foreach (var (service, name) in new[] { ("auth", "registration-login"), ("auth", "password-reset"), ("project", "crud"), ("project", "search"), ("billing", "usage-tracking"), ("analytics", "queries"), ("analytics", "event-tracking") })
            {
                var result = await new LoadRunner(new LoadRunOptions
                {
                    Scenarios = [ScenarioCatalog.Default.Compiled(service).Single(s => s.Name == name)],
                    Load = new LoadConfig { Executor = ExecutorKind.PerVuIterations, Vus = 2, Iterations = 4, Duration = TimeSpan.FromSeconds(60), ThinkTime = TimeSpan.Zero },
                    BaseAddress = urls[service],
                }).RunAsync();
                var run = Assert.Single(result.Scenarios);
                Assert.True(run.Requests.Failed == 0, $"{service}/{name}: {run.Requests.Failed} failed requests");
                Assert.All(run.Checks, c => Assert.True(c.Failed == 0, $"{service}/{name}: check '{c.Name}' failed {c.Failed}"));
            }
        }

        await using var db = NpgsqlDataSource.Create(postgres.ConnectionString);
        foreach (var table in new[] { "users", "projects", "usage_records", "events" })
        {
            await using var count = db.CreateCommand($"SELECT count(*) FROM {table}");
            Assert.True((long)(await count.ExecuteScalarAsync())! > 0, $"no rows in {table}");
        }

        await using var indexes = db.CreateCommand("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
        await using var reader = await indexes.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
            names.Add(reader.GetString(0));
        Assert.Equal(["events_pkey", "projects_pkey", "usage_records_pkey", "users_pkey"], names);
    }

    [Fact]
    public async Task LoadTest_passes_the_configs_database_to_the_embedded_platform()
    {
        var root = Directory.CreateTempSubdirectory("zoptal-run-pg-").FullName;
        try
        {
            var path = Path.Combine(root, "perf-config.yml");
            await File.WriteAllTextAsync(path, $"""
                services:
                  - {'{'} name: project, baseUrl: embedded, scenarios: [crud] {'}'}
                load: {'{'} executor: constant-vus, vus: 2, duration: 2s, gracefulStop: 2s, thinkTime: 50ms {'}'}
                database:
                  connectionString: "{postgres.ConnectionString}"
                """);
            await using var db = NpgsqlDataSource.Create(postgres.ConnectionString);
            await using (var schema = db.CreateCommand(global::Zoptal.SamplePlatform.Storage.PostgresStores.Schema))
                await schema.ExecuteNonQueryAsync(); // the platform creates it too (IF NOT EXISTS); here so the count can run first
            var before = await Projects(db);
            var settings = EffectiveSettings.Resolve(PerfConfigLoader.Load(path, new Dictionary<string, string>(), null, "perf-config.yml"), new LoadOverrides());
            var lines = new List<string>();
            var outcome = await new LoadTestSession(ScenarioCatalog.Default, new PlainRunDisplay(lines.Add, lines.Add)).RunAsync(new RunRequest
            {
                Settings = settings,
                Target = "LoadTest",
                RootDirectory = root,
                ConfigDisplayPath = "perf-config.yml",
                PlatformAssembly = Platform.EmbeddedPlatform.Locate(PlatformFixture.RepositoryRoot()),
            }, CancellationToken.None);
            Assert.Contains(lines, l => l.Contains("data in PostgreSQL", StringComparison.Ordinal));
            Assert.Equal(0, outcome.Summary.Phases[0].Services[0].Metrics.Failed);
            Assert.True(await Projects(db) > before, "the run's projects are in PostgreSQL");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Benchmark_on_PostgreSQL_storage_names_the_schemas_missing_indexes_with_query_mean_time_and_fix()
    {
        var root = Directory.CreateTempSubdirectory("zoptal-bench-pg-").FullName;
        var database = "bench_" + Guid.NewGuid().ToString("N")[..10];
        try
        {
            await using (var admin = NpgsqlDataSource.Create(postgres.ConnectionString))
            await using (var create = admin.CreateCommand($"CREATE DATABASE {database}"))
                await create.ExecuteNonQueryAsync();
            var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = database }.ConnectionString;
            await using (var db = NpgsqlDataSource.Create(connectionString))
            await using (var extension = db.CreateCommand("CREATE EXTENSION pg_stat_statements"))
                await extension.ExecuteNonQueryAsync();
            var path = Path.Combine(root, "perf-config.yml");
            await File.WriteAllTextAsync(path, $"""
                services:
                  - {'{'} name: auth, baseUrl: embedded, scenarios: [registration-login] {'}'}
                  - {'{'} name: project, baseUrl: embedded, scenarios: [crud] {'}'}
                load:
                  executor: constant-vus
                  vus: 4
                  duration: 4s
                  gracefulStop: 2s
                  thinkTime: 20ms
                  stress: {'{'} vus: 4, duration: 2s {'}'}
                database:
                  connectionString: "{connectionString}"
                """);
            var settings = EffectiveSettings.Resolve(PerfConfigLoader.Load(path, new Dictionary<string, string>(), null, "perf-config.yml"), new LoadOverrides { Concurrent = true });
            var lines = new List<string>();
            var outcome = await new LoadTestSession(ScenarioCatalog.Default, new PlainRunDisplay(lines.Add, lines.Add)).RunAsync(new RunRequest
            {
                Settings = settings,
                Target = "Benchmark",
                Stress = true,
                RootDirectory = root,
                ConfigDisplayPath = "perf-config.yml",
                PlatformAssembly = Platform.EmbeddedPlatform.Locate(PlatformFixture.RepositoryRoot()),
            }, CancellationToken.None);

            var report = outcome.Summary.Database!;
            Assert.True(report.StatementsAvailable);
            var login = Assert.Single(report.Findings, f => f.Kind == "missing-index" && f.Suggestion == "CREATE INDEX CONCURRENTLY idx_users_lower_email ON public.users (lower(email));");
            Assert.Contains("lower(email) = lower($", login.Query); // the login lookup, or the sign-up check that runs the same filter
            Assert.Matches(@"\d[\d,]* calls at [\d.]+ ms mean", login.Title);
            var projects = Assert.Single(report.Findings, f => f.Kind == "missing-index" && f.Suggestion == "CREATE INDEX CONCURRENTLY idx_projects_user_id ON public.projects (user_id);");
            Assert.Contains("WHERE user_id = $1", projects.Query);
            Assert.Contains(lines, l => l.StartsWith("database: missing index on users (lower(email))", StringComparison.Ordinal));

            // The platform's process was watched in both phases and graded on CPU and memory.
            Assert.Equal(["load", "stress"], outcome.Summary.Resources.Select(r => r.Phase));
            Assert.All(outcome.Summary.Resources, r =>
            {
                Assert.Equal("sample platform", r.Resource.Name);
                Assert.True(r.Resource.MemoryMaxBytes > 10_000_000 && r.Resource.ThreadsMax > 1 && r.Resource.OpenFilesMax > 3, $"{r.Resource}");
                Assert.Equal(["cpu", "memory"], r.Grades.Select(g => g.Metric));
                Assert.False(r.Gated);
            });
            var json = await File.ReadAllTextAsync(Path.Combine(outcome.RunPath, "summary.json"));
            Assert.Contains("\"database\":", json);
            Assert.Contains("idx_users_lower_email", json);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<long> Projects(NpgsqlDataSource db)
    {
        // crud keeps each VU's first project (it deletes three of four).
        await using var count = db.CreateCommand("SELECT count(*) FROM projects");
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
