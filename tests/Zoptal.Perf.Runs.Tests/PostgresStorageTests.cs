using Npgsql;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load;
using Zoptal.Perf.Runs.Console;
using Zoptal.Perf.Scenarios;
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

    private static async Task<long> Projects(NpgsqlDataSource db)
    {
        // crud keeps each VU's first project (it deletes three of four).
        await using var count = db.CreateCommand("SELECT count(*) FROM projects");
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
