using Zoptal.Perf.Catalog;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load;
using Zoptal.Perf.Testing;

namespace Zoptal.Perf.Catalog.Tests;

/// <summary>Every compiled scenario against the real sample platform: all checks pass, no unexpected failure.</summary>
public sealed class ScenarioChecksTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    public static TheoryData<string, string> AllScenarios()
    {
        var data = new TheoryData<string, string>();
        foreach (var service in new[] { "auth", "project", "ai", "billing", "notification", "analytics" })
        {
            foreach (var scenario in ScenarioCatalog.Default.Compiled(service))
                data.Add(service, scenario.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public async Task The_scenario_passes_its_checks_against_the_sample_platform(string service, string name)
    {
        var scenario = ScenarioCatalog.Default.Compiled(service).Single(s => s.Name == name);
        var result = await new LoadRunner(new LoadRunOptions
        {
            Scenarios = [scenario],
            Load = new LoadConfig { Executor = ExecutorKind.PerVuIterations, Vus = 2, Iterations = 3, Duration = TimeSpan.FromSeconds(60), GracefulStop = TimeSpan.FromSeconds(10), ThinkTime = TimeSpan.Zero },
            BaseAddress = platform.Urls[service],
            Service = service,
        }).RunAsync();
        var run = Assert.Single(result.Scenarios);
        Assert.Equal(6, run.Iterations);
        Assert.Equal(0, run.FailedIterations);
        Assert.True(run.Requests.Requests >= 6, $"{run.Requests.Requests} requests");
        Assert.Equal(0, run.Requests.Failed);
        Assert.NotEmpty(run.Checks);
        Assert.All(run.Checks, c => Assert.True(c.Failed == 0, $"check '{c.Name}' failed {c.Failed} of {c.Passed + c.Failed}"));
    }

    [Fact]
    public async Task A_second_run_in_the_same_process_does_not_collide_with_the_first_ones_users()
    {
        // Benchmark's stress phase follows its load phase against the same platform, with VUs numbered from 1 again.
        foreach (var round in new[] { 1, 2 })
        {
            var result = await new LoadRunner(new LoadRunOptions
            {
                Scenarios = [.. ScenarioCatalog.Default.Compiled("auth").Where(s => s.Name is "registration-login" or "password-reset" or "rate-limit" or "oauth")],
                Load = new LoadConfig { Executor = ExecutorKind.PerVuIterations, Vus = 2, Iterations = 4, Duration = TimeSpan.FromSeconds(60), ThinkTime = TimeSpan.Zero },
                BaseAddress = platform.Urls["auth"],
            }).RunAsync();
            Assert.All(result.Scenarios, s => Assert.True(s.Requests.Failed == 0, $"round {round}, {s.Name}: {s.Requests.Failed} failed"));
            Assert.All(result.Scenarios.SelectMany(s => s.Checks), c => Assert.True(c.Failed == 0, $"round {round}: check '{c.Name}' failed"));
        }
    }

    [Fact]
    public void Every_scenario_the_shipped_config_names_is_compiled()
    {
        var config = PerfConfigLoader.Load(Path.Combine(PlatformFixture.RepositoryRoot(), "perf-config.yml"), new Dictionary<string, string>(), new Core.Secrets.SecretMasker(), "perf-config.yml");
        foreach (var service in config.Services)
            Assert.Equal(service.Scenarios.Select(s => s.Name), ScenarioCatalog.Default.Resolve(service, "perf-config.yml").Select(s => s.Name));
    }
}

/// <summary>Scenarios declared in perf-config.yml with requests:, against the real sample platform.</summary>
public sealed class DeclaredScenarioTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    [Fact]
    public async Task Declared_requests_run_in_order_as_steps_with_their_checks()
    {
        var config = PerfConfigLoader.Parse("""
            services:
              - name: ai
                baseUrl: http://127.0.0.1:1
                scenarios:
                  - name: smoke
                    weight: 3
                    requests:
                      - { name: models, path: /ai/models, check: { bodyContains: zoptal-fast } }
                      - name: generate
                        method: POST
                        path: /ai/generate
                        headers: { X-User-Id: declared-user, Content-Type: application/json }
                        body: '{"model":"zoptal-fast","prompt":"hello"}'
                        check: { status: 200 }
                      - { name: unknown-model, method: POST, path: /ai/generate, headers: { X-User-Id: u }, body: '{"model":"nope","prompt":"x"}', check: { status: 400 } }
            """, "perf-config.yml", new Dictionary<string, string>());
        var scenario = Assert.Single(ScenarioCatalog.Default.Resolve(config.Services[0], "perf-config.yml"));
        Assert.Equal(3, scenario.Weight);
        var result = await new LoadRunner(new LoadRunOptions
        {
            Scenarios = [scenario],
            Load = new LoadConfig { Executor = ExecutorKind.PerVuIterations, Vus = 1, Iterations = 2, Duration = TimeSpan.FromSeconds(30), ThinkTime = TimeSpan.Zero },
            BaseAddress = platform.Urls["ai"],
        }).RunAsync();
        var run = Assert.Single(result.Scenarios);
        Assert.Equal(6, run.Requests.Requests);
        Assert.Equal(0, run.Requests.Failed); // the 400 was declared
        Assert.Equal(["generate", "models", "unknown-model"], run.Steps.Select(s => s.Step).Order());
        Assert.All(run.Checks, c => Assert.Equal((2, 0), (c.Passed, c.Failed)));
        Assert.Equal(4, run.Checks.Count);
    }
}
