using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Perf.Core.Tests.Configuration;

public sealed class PerfConfigLoaderTests
{
    private static PerfConfig Parse(string yaml, Dictionary<string, string>? environment = null, SecretMasker? masker = null) =>
        PerfConfigLoader.Parse(yaml, "perf-config.yml", environment ?? [], masker ?? new SecretMasker());

    [Fact]
    public void A_minimal_file_gets_the_guides_defaults()
    {
        var config = Parse("services:\n  - { name: auth, baseUrl: embedded }\n");
        Assert.Equal(50, config.Load.Vus);
        Assert.Equal(TimeSpan.FromSeconds(300), config.Load.Duration);
        Assert.Equal(100, config.Load.Stress.Vus);
        Assert.Equal(TimeSpan.FromSeconds(60), config.Load.Stress.Duration);
        Assert.Equal(GateFailOn.Critical, config.Gate.FailOn);
        Assert.Equal("performance-results", config.Results.Directory);
        Assert.Same(ThresholdTable.Default, config.Thresholds);
        var auth = Assert.Single(config.Services);
        Assert.True(auth.Embedded);
        Assert.Equal("/health", auth.HealthPath);
        Assert.Empty(auth.AllowedHosts);
        Assert.Equal(new SourcePosition(2, 28, "services[0].baseUrl"), auth.BaseUrlAt);
        Assert.Equal(
            [(30, 50), (300, 50), (30, 0)],
            config.Load.EffectiveStages().Select(s => ((int)s.Duration.TotalSeconds, s.Target)));
    }

    [Fact]
    public void Every_section_is_read()
    {
        var yaml = Samples.EverySection;
        var config = Parse(yaml, new Dictionary<string, string> { ["PGPASSWORD"] = "pg-secret-password" });
        var project = Assert.Single(config.Services);
        Assert.Equal(new Uri("http://127.0.0.1:3002"), project.BaseUrl);
        Assert.Equal("/healthz", project.HealthPath);
        Assert.Equal(["crud", "search"], project.Scenarios.Select(s => s.Name));
        var search = project.Scenarios[1];
        Assert.Equal(3, search.Weight);
        var request = Assert.Single(search.Requests);
        Assert.Equal(("POST", "/search", "application/json", 200, "results"), (request.Method, request.Path, request.Headers["Content-Type"], request.ExpectStatus, request.ExpectBodyContains));
        Assert.Equal(new GradeBounds(300, 600, MetricDirection.HigherIsWorse), search.Thresholds!.Metrics["responseTimeP95"]);
        Assert.Equal(new GradeBounds(0.5, 2, MetricDirection.HigherIsWorse), project.Thresholds.Metrics["errorRate"]);
        Assert.Equal(new GradeBounds(200, 20, MetricDirection.LowerIsWorse), project.Thresholds.Metrics["requestsPerSecond"]);
        Assert.Equal(ExecutorKind.RampingArrivalRate, config.Load.Executor);
        Assert.Equal(2, config.Load.Stages.Count);
        Assert.Equal(["http_req_duration: p(95)<2000", "http_req_duration: avg<500", "http_req_failed: rate<0.05", "latency{scenario:search}: p(99)<1500",
                "latency_corrected: p(99)<3000", "vus: max<=100"],
            config.Load.Thresholds.Select(t => t.ToString()));
        Assert.Equal((SaturationPolicy.Drop, 5000, 2.0, GradedLatency.Measured), (config.Load.OnSaturation, config.Load.Backlog, config.Load.MaxDroppedPercent, config.Load.GradedLatency));
        Assert.Equal("auth-service", project.Container);
        Assert.True(config.Load.Thresholds[3].AbortOnFail);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Load.Thresholds[3].DelayAbortEval);
        Assert.Equal((HttpTransport.Sockets, ConnectionPoolKind.PerVu, 16, true, true), (config.Load.Http.Transport, config.Load.Http.ConnectionPool, config.Load.Http.MaxConnections, config.Load.Http.Http2, config.Load.Http.Cookies));
        Assert.Equal((GateFailOn.Regression, 5.0, "develop"), (config.Gate.FailOn, config.Gate.MinimumEffectPercent, config.Gate.BaseBranch));
        Assert.Equal(HistoryStoreKind.Postgres, config.Results.HistoryStore);
        Assert.Equal("pg-secret-password", config.Database!.Password);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.Database.SlowQueryMeanTime);
        Assert.Equal(["auth-service"], config.Docker!.Containers);
        Assert.Equal(5, Assert.Single(config.Frontends).Runs);
        Assert.Equal(2000, config.Alerts!.ResponseTime!.Threshold);
        Assert.Null(config.Alerts.WebhookUrl);
        Assert.Equal(PostgresProfile.Oltp, config.Optimize.PostgresProfile);
        Assert.Equal(["**/Dockerfile"], config.Optimize.Include);
    }

    [Fact]
    public void Values_from_secret_variables_and_secret_fields_are_masked_from_then_on()
    {
        var masker = new SecretMasker();
        Parse("""
            services: [{ name: auth, baseUrl: embedded }]
            database: { connectionString: "Host=127.0.0.1;Password=${DB_PASSWORD}", password: "literal-secret" }
            alerts: { webhookUrl: "https://hooks.example.test/T000/B000/XXXX" }
            """, new Dictionary<string, string> { ["DB_PASSWORD"] = "from-env-password" }, masker);
        Assert.Equal("a **** b **** c ****", masker.Apply("a from-env-password b literal-secret c https://hooks.example.test/T000/B000/XXXX"));
    }

    [Fact]
    public void A_duplicate_key_is_a_syntax_error_at_its_position()
    {
        var exception = Assert.Throws<ConfigurationException>(() => Parse("services: []\nload: {}\nload: {}\n"));
        var error = Assert.Single(exception.Errors);
        Assert.Equal(3, error.Line);
        Assert.Contains("Duplicate key", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_missing_file_is_an_error_that_names_it()
    {
        var exception = Assert.Throws<ConfigurationException>(() => PerfConfigLoader.Load("/nonexistent/perf-config.yml", new Dictionary<string, string>()));
        Assert.Equal("/nonexistent/perf-config.yml:1:1: the file does not exist (hint: create it, or name another with --config)", exception.Errors[0].ToString());
    }

    [Theory]
    [InlineData("responseTimeAvg", 499, Grade.Good)]
    [InlineData("responseTimeAvg", 500, Grade.Warning)]
    [InlineData("responseTimeAvg", 1000, Grade.Warning)]
    [InlineData("responseTimeAvg", 1001, Grade.Critical)]
    [InlineData("responseTimeP95", 1500, Grade.Warning)]
    [InlineData("requestsPerSecond", 101, Grade.Good)]
    [InlineData("requestsPerSecond", 100, Grade.Warning)]
    [InlineData("requestsPerSecond", 50, Grade.Warning)]
    [InlineData("requestsPerSecond", 49, Grade.Critical)]
    [InlineData("errorRate", 0.9, Grade.Good)]
    [InlineData("errorRate", 5.1, Grade.Critical)]
    [InlineData("cpu", 70, Grade.Warning)]
    [InlineData("memory", 86, Grade.Critical)]
    public void The_default_table_grades_as_the_guide_says(string metric, double value, Grade grade) =>
        Assert.Equal(grade, ThresholdTable.Default.Grade(metric, value));

    [Fact]
    public void Overrides_replace_the_config_and_unknown_services_are_named()
    {
        var config = Parse("services:\n  - { name: auth, baseUrl: embedded }\n  - { name: project, baseUrl: embedded }\nload:\n  stages: [{ duration: 10s, target: 5 }]\n");
        var settings = EffectiveSettings.Resolve(config, new LoadOverrides(Vus: 7, Duration: TimeSpan.FromMinutes(2), StressVus: 9, Concurrent: true, Services: ["project"]));
        Assert.Equal(7, settings.Config.Load.Vus);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.Config.Load.Duration);
        Assert.Empty(settings.Config.Load.Stages);
        Assert.Equal(9, settings.Config.Load.Stress.Vus);
        Assert.Equal(["project"], settings.Services.Select(s => s.Name));
        Assert.True(settings.Concurrent);

        var unknown = Assert.Throws<InvalidParameterException>(() => EffectiveSettings.Resolve(config, new LoadOverrides(Services: ["projct"])));
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("'projct' (did you mean 'project'?)", unknown.Message);
        Assert.Contains("'--vus'", Assert.Throws<InvalidParameterException>(() => EffectiveSettings.Resolve(config, new LoadOverrides(Vus: 0))).Message);
    }
}
