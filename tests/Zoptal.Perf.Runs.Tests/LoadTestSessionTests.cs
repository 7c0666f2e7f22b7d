using System.Globalization;
using System.Text.Json;
using Zoptal.Perf.Catalog;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load;
using Zoptal.Perf.Results;
using Zoptal.Perf.Runs.Display;
using Zoptal.Perf.Testing;

namespace Zoptal.Perf.Runs.Tests;

/// <summary>LoadTest and Benchmark runs end to end, each in a scratch folder with its own results.</summary>
public sealed class LoadTestSessionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("zoptal-run-").FullName;
    private readonly List<string> _lines = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private IRunDisplay Display => new PlainRunDisplay(Add, Add);

    private void Add(string line)
    {
        lock (_lines)
            _lines.Add(line);
    }

    private EffectiveSettings Settings(string yaml, LoadOverrides? overrides = null)
    {
        var path = Path.Combine(_root, "perf-config.yml");
        File.WriteAllText(path, yaml);
        return EffectiveSettings.Resolve(PerfConfigLoader.Load(path, new Dictionary<string, string>(), null, "perf-config.yml"), overrides ?? new LoadOverrides());
    }

    private RunRequest Request(EffectiveSettings settings, bool stress = false) => new()
    {
        Settings = settings,
        Target = stress ? "Benchmark" : "LoadTest",
        RootDirectory = _root,
        ConfigDisplayPath = "perf-config.yml",
        Stress = stress,
        PlatformAssembly = Platform.EmbeddedPlatform.Locate(PlatformFixture.RepositoryRoot()),
    };

    private const string ShortLoad = """
        load:
          executor: constant-vus
          vus: 2
          duration: 2s
          gracefulStop: 2s
          thinkTime: 50ms
        """;

    [Fact]
    public async Task The_embedded_platform_is_started_measured_and_stopped_and_the_results_folder_is_complete()
    {
        var settings = Settings($"""
            services:
              - name: billing
                baseUrl: embedded
                scenarios: [usage-tracking, invoices]
              - name: notification
                baseUrl: embedded
            {ShortLoad}
            """, new LoadOverrides(Concurrent: true));
        var outcome = await new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None);

        Assert.Equal(ExitCodes.Success, outcome.ExitCode);
        var run = outcome.RunPath;
        Assert.Equal(Path.Combine(_root, "performance-results", outcome.Summary.RunId), run);
        Assert.Equal(run, Path.GetFullPath(Path.Combine(_root, "performance-results", new FileInfo(Path.Combine(_root, "performance-results", "latest")).LinkTarget!)));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root, "performance-results"), ".*.partial"));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var root = json.RootElement;
        Assert.Equal(RunSummary.CurrentSchemaVersion, root.GetProperty("schemaVersion").GetInt32());
        Assert.False(root.GetProperty("aborted").GetBoolean());
        Assert.StartsWith("sha256:", root.GetProperty("configDigest").GetString());
        var services = root.GetProperty("phases")[0].GetProperty("services").EnumerateArray().ToList();
        // A closed model's requests/s is set by its VUs and think time: not graded, and the phase says why.
        Assert.Contains("closed model", root.GetProperty("phases")[0].GetProperty("throughputNote").GetString());
        Assert.All(services, s => Assert.DoesNotContain(s.GetProperty("grades").EnumerateArray(), g => g.GetProperty("metric").GetString() == "requestsPerSecond"));
        Assert.Equal(["billing", "notification"], services.Select(s => s.GetProperty("name").GetString()));
        foreach (var service in services)
        {
            Assert.True(service.GetProperty("metrics").GetProperty("requests").GetInt64() > 10);
            Assert.Equal(0, service.GetProperty("metrics").GetProperty("failed").GetInt64());
            Assert.Contains(service.GetProperty("grades").EnumerateArray(), g => g.GetProperty("metric").GetString() == "responseTimeP95" && g.GetProperty("grade").GetString() == "good");
            // The whole latency histograms travel with the summary, for the report's percentile plot, the history and exact merges.
            foreach (var kind in new[] { "latency", "latencyCorrected", "serviceTime" })
            {
                var histogram = Zoptal.Perf.Load.Metrics.HdrLog.Decode(service.GetProperty("metrics").GetProperty("histograms").GetProperty(kind).GetString()!);
                Assert.Equal(service.GetProperty("metrics").GetProperty("requests").GetInt64(), histogram.TotalCount);
            }
        }

        var csv = File.ReadAllLines(Path.Combine(run, "timeseries.csv"));
        Assert.Equal(TimeSeriesRow.Header, csv[0]);
        Assert.Contains(csv, l => l.StartsWith("load,billing,", StringComparison.Ordinal));
        // A row per second for the service as a whole (empty scenario): its requests are the sum of its scenarios'.
        var billing = csv.Skip(1).Select(l => l.Split(',')).Where(f => f[1] == "billing").ToList();
        var totals = billing.Where(f => f[3] == "").ToList();
        Assert.NotEmpty(totals);
        Assert.Equal(billing.Where(f => f[3] != "").Sum(f => long.Parse(f[4])), totals.Sum(f => long.Parse(f[4])));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "raw", "load", "billing"), "*.hlog"));
        Assert.Contains("run complete", File.ReadAllText(Path.Combine(run, "console.log")));
        Assert.Contains(_lines, l => l.Contains("billing / scenario", StringComparison.Ordinal) || l.StartsWith("service / scenario", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Benchmark_runs_a_load_and_a_stress_phase_with_the_stress_settings_and_the_overrides()
    {
        var settings = Settings($$"""
            services:
              - { name: analytics, baseUrl: embedded }
            {{ShortLoad}}
              stress: { vus: 4, duration: 2s }
            """, new LoadOverrides(Vus: 3, Duration: TimeSpan.FromSeconds(1))); // as LOAD_TEST_VUS=3 LOAD_TEST_DURATION=1s
        var outcome = await new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings, stress: true), CancellationToken.None);
        Assert.Equal(["load", "stress"], outcome.Summary.Phases.Select(p => p.Name));
        Assert.Equal((3, 1.0), (outcome.Summary.Phases[0].Vus, outcome.Summary.Phases[0].DurationSeconds));
        Assert.Equal((4, 2.0), (outcome.Summary.Phases[1].Vus, outcome.Summary.Phases[1].DurationSeconds));
        Assert.All(outcome.Summary.Phases, p => Assert.True(p.Services.Single().Metrics.Requests > 0));
    }

    [Fact]
    public async Task A_host_that_is_not_loopback_nor_allowed_is_refused_before_any_request()
    {
        var settings = Settings($"""
            services:
              - name: auth
                baseUrl: http://auth.zoptal.example:3001
                scenarios: [registration-login]
            {ShortLoad}
            """);
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains("perf-config.yml:3:14: services[0].baseUrl: refusing to load-test 'auth.zoptal.example'", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "performance-results")));
    }

    [Fact]
    public async Task An_unknown_scenario_is_an_error_at_its_place_in_the_file()
    {
        var settings = Settings($"""
            services:
              - name: auth
                baseUrl: embedded
                scenarios: [registration-logn]
            {ShortLoad}
            """);
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None));
        Assert.Contains("perf-config.yml:4:17: services[0].scenarios[0]: unknown scenario 'registration-logn' for service 'auth' (hint: did you mean 'registration-login'?)", error.Message);
    }

    [Fact]
    public async Task An_unreachable_service_fails_the_health_check_before_any_load()
    {
        var port = FreePort();
        var settings = Settings($"""
            services:
              - name: billing
                baseUrl: http://127.0.0.1:{port}
            {ShortLoad}
            """);
        var error = await Assert.ThrowsAsync<RunFailedException>(() => new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None));
        Assert.Equal(ExitCodes.Failure, error.ExitCode);
        Assert.Contains($"billing: health check http://127.0.0.1:{port}/health failed", error.Message);
        // The results folder is created (and so proven writable) before the health check; no run is written into it.
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root, "performance-results")));
    }

    [Fact]
    public async Task A_service_that_dies_mid_run_is_recorded_as_errors_and_the_results_are_still_written()
    {
        var platform = await global::Zoptal.SamplePlatform.Platform.StartAsync(new global::Zoptal.SamplePlatform.PlatformOptions());
        var url = platform.Urls.Single(u => u.Service == "billing").Url;
        var settings = Settings($"""
            services:
              - name: billing
                baseUrl: {url}
            load:
              executor: constant-vus
              vus: 2
              duration: 3s
              gracefulStop: 2s
              thinkTime: 20ms
            """);
        var run = new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None);
        await Task.Delay(1500);
        await platform.DisposeAsync();
        var outcome = await run;
        var metrics = outcome.Summary.Phases[0].Services[0].Metrics;
        Assert.True(metrics.Failures.GetValueOrDefault("ConnectionRefused") > 0, string.Join(", ", metrics.Failures));
        Assert.True(metrics.Requests > metrics.Failed, "requests before the stop succeeded");
        Assert.True(File.Exists(Path.Combine(outcome.RunPath, "summary.json")));
    }

    [Fact]
    public async Task Ctrl_C_keeps_what_was_measured_and_marks_the_run_aborted()
    {
        var settings = Settings("""
            services:
              - { name: notification, baseUrl: embedded }
            load:
              executor: constant-vus
              vus: 2
              duration: 5m
              gracefulStop: 2s
              thinkTime: 20ms
            """);
        using var interrupt = new CancellationTokenSource(TimeSpan.FromSeconds(15)); // in case no progress line came
        var session = new LoadTestSession(ScenarioCatalog.Default, new PlainRunDisplay(line =>
        {
            Add(line);
            if (LoadSeconds(line, "notification") >= 2)
                interrupt.Cancel(); // after two seconds of load
        }, Add));
        var started = DateTime.UtcNow;
        var outcome = await session.RunAsync(Request(settings), interrupt.Token);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(40));
        Assert.True(outcome.Summary.Aborted);
        Assert.Contains("interrupted", outcome.Summary.AbortReason);
        Assert.True(outcome.Summary.Phases[0].Services[0].Metrics.Requests > 0);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outcome.RunPath, "summary.json")));
        Assert.True(json.RootElement.GetProperty("aborted").GetBoolean());
    }

    [Fact]
    public async Task The_embedded_platform_dying_mid_run_stops_the_load_marks_the_run_aborted_and_names_what_died()
    {
        var settings = Settings("""
            services:
              - { name: notification, baseUrl: embedded }
              - { name: billing, baseUrl: embedded }
            load:
              executor: constant-vus
              vus: 2
              duration: 5m
              gracefulStop: 2s
              thinkTime: 20ms
            """, new LoadOverrides(Concurrent: true));
        var killedAt = DateTime.MaxValue;
        int? platformId = null;
        var session = new LoadTestSession(ScenarioCatalog.Default, new PlainRunDisplay(line =>
        {
            Add(line);
            platformId ??= PlatformProcessId(line);
            if (killedAt == DateTime.MaxValue && platformId is { } id && LoadSeconds(line, "notification") >= 2)
            {
                killedAt = DateTime.UtcNow;
                System.Diagnostics.Process.GetProcessById(id).Kill(); // two seconds into the load
            }
        }, Add));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var outcome = await session.RunAsync(Request(settings), guard.Token);
        Assert.True(killedAt != DateTime.MaxValue, "the platform was never killed: no progress line of notification reached 2 s");
        Assert.False(guard.IsCancellationRequested, "the run went on against a dead platform");
        Assert.True(DateTime.UtcNow - killedAt < TimeSpan.FromSeconds(10), "the load stopped within seconds of the death");
        Assert.Equal(ExitCodes.Failure, outcome.ExitCode);
        Assert.Contains("the embedded sample platform", outcome.Failure);
        Assert.Contains("exited with code", outcome.Failure);
        Assert.True(outcome.Summary.Aborted);
        Assert.Contains("the embedded sample platform", outcome.Summary.AbortReason);
        Assert.All(outcome.Summary.Phases[0].Services, s => Assert.True(s.Aborted));
        Assert.True(outcome.Summary.Phases[0].Services.Sum(s => s.Metrics.Requests) > 0, "what was measured before is kept");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outcome.RunPath, "summary.json")));
        Assert.True(json.RootElement.GetProperty("aborted").GetBoolean());
    }

    // The seconds of load a progress line shows for a service (-1 for other lines). A busy machine's ticks can skip
    // a second ("1s" then "3s"), so tests wait for "at least", never for one exact line.
    private static int LoadSeconds(string line, string service) =>
        System.Text.RegularExpressions.Regex.Match(line, $@"^load\s+{service}\s+(\d+)s ") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;

    // The platform this test's session started: a child of this process running Zoptal.SamplePlatform.dll.
    // The platform this session started, by the process id it reports ("sample platform: ready (process N)"): other
    // test classes run their own platforms in parallel, children of this same test process.
    private static int? PlatformProcessId(string line) =>
        System.Text.RegularExpressions.Regex.Match(line, @"sample platform: ready \(process (\d+)\)") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [Fact]
    public async Task Every_hdr_log_of_a_run_reads_in_hdr_histogram_js_with_the_counts_and_percentiles_of_summary_json()
    {
        var settings = Settings($"""
            services:
              - name: billing
                baseUrl: embedded
                scenarios: [usage-tracking, invoices]
            {ShortLoad}
            """);
        var outcome = await new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None);
        var logs = Directory.GetFiles(Path.Combine(outcome.RunPath, "raw"), "*.hlog", SearchOption.AllDirectories);
        Assert.Equal(2, logs.Length);
        var folder = await NodePackages.EnsureAsync("hdr-histogram-js", "3.0.1");
        var output = await NodePackages.NodeAsync(folder, """
            const fs = require('fs');
            const hdr = require('hdr-histogram-js');
            const result = {};
            for (const file of process.argv.slice(2)) {
              const reader = new hdr.HistogramLogReader(fs.readFileSync(file, 'utf8'));
              const tags = {};
              let interval;
              while ((interval = reader.nextIntervalHistogram()) !== null) {
                tags[interval.tag] ??= hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3600000000, numberOfSignificantValueDigits: 3 });
                tags[interval.tag].add(interval);
              }
              result[require('path').basename(file, '.hlog')] = Object.fromEntries(Object.entries(tags).map(([tag, h]) =>
                [tag, { count: h.totalCount, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: h.maxValue }]));
            }
            console.log(JSON.stringify(result));
            """, logs);
        using var read = JsonDocument.Parse(output);
        var service = outcome.Summary.Phases[0].Services.Single();
        foreach (var scenario in service.Scenarios)
        {
            var tags = read.RootElement.GetProperty(scenario.Name);
            var names = tags.EnumerateObject().Select(t => t.Name).ToHashSet();
            Assert.Subset(names, new HashSet<string> { "iteration_duration", "latency", "latency_corrected", "schedule_lag", "service_time" });
            foreach (var step in scenario.Steps) // a step's own latency and service time
                Assert.Equal(step.Metrics.Requests, tags.GetProperty($"{step.Name}/latency").GetProperty("count").GetInt64());
            var latency = tags.GetProperty("latency");
            Assert.Equal(scenario.Metrics.Requests, latency.GetProperty("count").GetInt64());
            Assert.Equal(scenario.Metrics.Latency.Count, latency.GetProperty("count").GetInt64());
            // The same histogram summary.json carries, read by another implementation: the same percentiles.
            var summaryHistogram = Zoptal.Perf.Load.Metrics.HdrLog.Decode(scenario.LatencyHistogramPayload!);
            Assert.Equal(Zoptal.Perf.Load.Metrics.Histograms.ValueAtPercentile(summaryHistogram, 50), latency.GetProperty("p50").GetInt64());
            Assert.Equal(Zoptal.Perf.Load.Metrics.Histograms.ValueAtPercentile(summaryHistogram, 99), latency.GetProperty("p99").GetInt64());
            Assert.Equal(scenario.Metrics.Latency.Max, latency.GetProperty("max").GetInt64() / 1000.0, 0);
            Assert.Equal(scenario.Iterations, tags.GetProperty("iteration_duration").GetProperty("count").GetInt64());
        }
    }

    [Fact]
    public async Task A_saturated_arrival_rate_run_is_graded_critical_as_not_measurable_in_every_view()
    {
        var settings = Settings("""
            services:
              - name: ai
                baseUrl: embedded
                scenarios: [code-generation]
            load:
              executor: constant-arrival-rate
              rate: 20
              duration: 2s
              preAllocatedVUs: 1
              maxVUs: 1
              onSaturation: drop
              gracefulStop: 2s
            """);
        var outcome = await new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None);
        var metrics = outcome.Summary.Phases[0].Services.Single().Metrics;
        var grade = outcome.Summary.Phases[0].Services.Single().Grades.Single(g => g.Metric == MetricSet.DroppedKey);
        Assert.True(metrics.DroppedIterations > 0, "one VU cannot keep up with 20 code generations a second");
        Assert.Equal(40, metrics.PlannedIterations);
        Assert.Equal(Grade.Critical, grade.Grade);
        Assert.Contains("latency not measurable: the generator saturated", grade.Note);
        Assert.Contains(_lines, l => l.Contains("latency not measurable", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outcome.RunPath, "summary.json")));
        var written = json.RootElement.GetProperty("phases")[0].GetProperty("services")[0];
        Assert.Equal(metrics.DroppedIterations, written.GetProperty("metrics").GetProperty("droppedIterations").GetInt64());
        Assert.Contains(written.GetProperty("grades").EnumerateArray(), g => g.GetProperty("metric").GetString() == "droppedIterations" && g.GetProperty("grade").GetString() == "critical");
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_is_one_line_naming_host_port_and_cause()
    {
        var port = FreePort();
        var settings = Settings($$"""
            services:
              - { name: billing, baseUrl: embedded }
            database:
              connectionString: Host=127.0.0.1;Port={{port}};Database=zoptal;Username=postgres;Timeout=3
            {{ShortLoad}}
            """);
        var error = await Assert.ThrowsAsync<RunFailedException>(() => new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None));
        Assert.StartsWith($"The sample platform did not start: cannot use PostgreSQL at 127.0.0.1:{port}/zoptal:", error.Message);
        Assert.Single(error.Message.Split('\n')); // not a stack trace
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public async Task A_results_folder_that_is_a_file_is_found_before_anything_starts()
    {
        File.WriteAllText(Path.Combine(_root, "performance-results"), "in the way");
        var settings = Settings($$"""
            services:
              - { name: billing, baseUrl: embedded }
            {{ShortLoad}}
            """);
        var error = await Assert.ThrowsAsync<RunFailedException>(() => new LoadTestSession(ScenarioCatalog.Default, Display).RunAsync(Request(settings), CancellationToken.None));
        Assert.Equal($"The results folder {Path.Combine(_root, "performance-results")} is a file, not a folder: move the file, or set results.directory to another folder.", error.Message);
        Assert.DoesNotContain(_lines, l => l.Contains("starting the embedded sample platform", StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateConfig_makes_every_check_a_run_makes_before_it_sends_a_request()
    {
        var settings = Settings("""
            services:
              - name: auth
                baseUrl: embedded
                scenarios: [registration-logn]
              - name: search
                baseUrl: http://127.0.0.1:3010
              - name: billing
                baseUrl: http://billing.zoptal.example:3004
            """);
        var error = Assert.Throws<ConfigurationException>(() => Preflight.Check(settings, ScenarioCatalog.Default, "perf-config.yml", createResultsFolder: false));
        Assert.Equal(3, error.Errors.Count);
        Assert.Contains("unknown scenario 'registration-logn' for service 'auth'", error.Errors[0].Message);
        Assert.Contains("service 'search' has no compiled scenarios and declares none", error.Errors[1].Message);
        Assert.Contains("refusing to load-test 'billing.zoptal.example'", error.Errors[2].Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "performance-results")), "ValidateConfig leaves nothing behind");
    }

    [Fact]
    public async Task A_health_check_the_guard_refuses_is_not_sent()
    {
        var error = await Assert.ThrowsAsync<RunFailedException>(() =>
            HealthCheck.RequireAsync([("search", new Uri("http://example.invalid/health"), Zoptal.Perf.Core.Net.HostGuard.LoopbackOnly)], Add, CancellationToken.None));
        Assert.Contains("search: health check http://example.invalid/health not sent: refused by the host guard: 'example.invalid' is neither loopback nor in the service's allowedHosts", error.Message);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
