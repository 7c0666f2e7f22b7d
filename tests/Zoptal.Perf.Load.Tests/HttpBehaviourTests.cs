using System.Net;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Thresholds;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;
using static Zoptal.Perf.Load.Tests.EngineRuns;

namespace Zoptal.Perf.Load.Tests;

/// <summary>The engine against a real Kestrel server on loopback.</summary>
public sealed class HttpBehaviourTests(TestServer server) : IClassFixture<TestServer>
{
    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task Successful_requests_are_counted_timed_and_checked(HttpTransport transport)
    {
        var result = await Run(server.Http1, Iterations(2, 25, new HttpConfig { Transport = transport }), Scenario.Create("ok", async ctx =>
        {
            using var response = await ctx.Http.GetAsync("/ok");
            ctx.Check("status is 200", response.StatusCode == HttpStatusCode.OK);
            ctx.Check("body is ok", await response.Content.ReadAsStringAsync() == "ok");
        }));
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(50, scenario.Requests.Requests);
        Assert.Equal(50, scenario.Iterations);
        Assert.Equal(0, scenario.Requests.Failed);
        Assert.All(scenario.Checks, c => Assert.Equal((50, 0), (c.Passed, c.Failed)));
        Assert.Equal(50, scenario.Requests.Latency.Count);
        Assert.True(scenario.Requests.ServiceTime.P50 > 0);
        Assert.True(scenario.Requests.Latency.P99 >= scenario.Requests.ServiceTime.P50);
        Assert.True(scenario.Requests.BytesReceived >= 50 * 2);
        Assert.False(result.Aborted);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task Client_and_server_errors_are_failures_by_kind_and_checks_do_not_fail_requests(HttpTransport transport)
    {
        var result = await Run(server.Http1, Iterations(1, 10, new HttpConfig { Transport = transport }), Scenario.Create("errors", async ctx =>
        {
            using var notFound = await ctx.Http.GetAsync("/status/404");
            using var unavailable = await ctx.Http.GetAsync("/status/503");
            using var ok = await ctx.Http.GetAsync("/ok");
            ctx.Check("always false", false);
        }));
        var requests = Assert.Single(result.Scenarios).Requests;
        Assert.Equal(30, requests.Requests);
        Assert.Equal(10, requests.Failures[FailureKind.Status4xx]);
        Assert.Equal(10, requests.Failures[FailureKind.Status5xx]);
        Assert.Equal(20, requests.Failed);
        Assert.Equal(10, Assert.Single(result.Scenarios).Iterations);
        Assert.Equal(0, Assert.Single(result.Scenarios).FailedIterations);
    }

    [Fact]
    public async Task Expected_statuses_are_not_failures_and_unexpected_successes_are()
    {
        var result = await Run(server.Http1, Iterations(1, 4),
            Scenario.Create("rate-limit", async ctx =>
            {
                using var limited = await ctx.Http.GetAsync("/status/429");
                using var ok = await ctx.Http.GetAsync("/ok");
            }).WithExpectedStatuses(429));
        var requests = Assert.Single(result.Scenarios).Requests;
        Assert.Equal(8, requests.Requests);
        Assert.Equal(4, requests.Failed); // the 200s: this scenario expects 429 only
        Assert.Equal(4, requests.Failures[FailureKind.OtherError]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Scenario.Create("x", _ => Task.CompletedTask).WithExpectedStatuses(700));
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task A_refused_connection_is_recorded_as_status_0_never_thrown(HttpTransport transport)
    {
        HttpStatusCode? seen = null;
        var result = await Run(TestServer.ClosedPort(), Iterations(1, 5, new HttpConfig { Transport = transport }), Scenario.Create("refused", async ctx =>
        {
            using var response = await ctx.Http.GetAsync("/ok");
            seen = response.StatusCode;
        }));
        var requests = Assert.Single(result.Scenarios).Requests;
        Assert.Equal(5, requests.Failures[FailureKind.ConnectionRefused]);
        Assert.Equal((HttpStatusCode)0, seen);
        Assert.Equal(0, Assert.Single(result.Scenarios).FailedIterations);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task A_request_past_the_timeout_is_a_timeout(HttpTransport transport)
    {
        var load = Iterations(1, 2, new HttpConfig { Timeout = TimeSpan.FromMilliseconds(200), Transport = transport });
        var result = await Run(server.Http1, load, Scenario.Create("timeout", async ctx =>
        {
            using var response = await ctx.Http.GetAsync("/slow/5000");
        }));
        var requests = Assert.Single(result.Scenarios).Requests;
        Assert.Equal(2, requests.Failures[FailureKind.Timeout]);
        Assert.InRange(requests.ServiceTime.P50, 190, 1500);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task Slow_responses_show_in_service_time_and_latency(HttpTransport transport)
    {
        var result = await Run(server.Http1, Iterations(2, 3, new HttpConfig { Transport = transport }), Scenario.Create("slow", async ctx =>
        {
            using var response = await ctx.Http.GetAsync("/slow/150");
        }));
        var requests = Assert.Single(result.Scenarios).Requests;
        // The server's 150 ms Task.Delay runs on a coarser clock than the engine's timestamps: it can end a millisecond early.
        Assert.InRange(requests.ServiceTime.Min, 145, 2000);
        Assert.True(requests.Latency.Min >= requests.ServiceTime.Min);
    }

    [Fact]
    public async Task Progress_is_reported_each_second_and_results_of_two_generators_merge_exactly()
    {
        var load = new LoadConfig { Executor = ExecutorKind.ConstantVus, Vus = 2, Duration = TimeSpan.FromMilliseconds(2500), GracefulStop = TimeSpan.FromSeconds(1), ThinkTime = TimeSpan.FromMilliseconds(5) };
        var progress = new List<RunProgress>();
        var runner = new LoadRunner(new LoadRunOptions { Scenarios = [Scenario.Create("ok", async ctx => { using var r = await ctx.Http.GetAsync("/ok"); })], Load = load, BaseAddress = server.Http1 });
        runner.Progress += p => progress.Add(p);
        var first = await runner.RunAsync();
        Assert.InRange(progress.Count, 1, 3); // a second each; a busy machine may run late
        Assert.All(progress, p => Assert.True(p.RequestsPerSecond > 0));
        // The intervals are the reported seconds plus the shorter last one, and add up to the totals.
        Assert.InRange(first.Intervals.Count - progress.Count, 0, 1);
        Assert.Equal(first.TotalRequests, first.Intervals.Sum(i => i.Requests));

        var second = await Run(server.Http1, Iterations(1, 40), Scenario.Create("ok", async ctx => { using var r = await ctx.Http.GetAsync("/slow/2"); }));
        var merged = LoadRunResult.Merge([first, second]);
        var requests = Assert.Single(merged.Scenarios).Requests;
        Assert.Equal(first.TotalRequests + second.TotalRequests, requests.Requests);
        Assert.Equal(requests.Requests, requests.LatencyHistogram.TotalCount);
        var all = HdrLog.Merge([first.Scenarios[0].Requests.LatencyHistogram, second.Scenarios[0].Requests.LatencyHistogram]);
        Assert.Equal(all.GetValueAtPercentile(99), requests.LatencyHistogram.GetValueAtPercentile(99));
        Assert.Equal(first.Scenarios[0].Iterations + second.Scenarios[0].Iterations, merged.Scenarios[0].IterationDuration.Count);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task Cancellation_mid_run_stops_within_the_graceful_stop_and_keeps_what_was_measured(HttpTransport transport)
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));
        var load = new LoadConfig { Executor = ExecutorKind.ConstantVus, Vus = 4, Duration = TimeSpan.FromMinutes(5), GracefulStop = TimeSpan.FromSeconds(2), ThinkTime = TimeSpan.Zero, Http = new HttpConfig { Transport = transport } };
        var started = DateTime.UtcNow;
        var result = await new LoadRunner(new LoadRunOptions
        {
            Scenarios = [Scenario.Create("long", async ctx => { using var r = await ctx.Http.GetAsync("/slow/20", ctx.Cancellation); })],
            Load = load,
            BaseAddress = server.Http1,
        }).RunAsync(cancellation.Token);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(6));
        Assert.True(result.Aborted);
        Assert.Contains("interrupted", result.AbortReason);
        Assert.True(Assert.Single(result.Scenarios).Requests.Requests > 20);
        Assert.NotEmpty(result.Intervals);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task A_hung_request_is_cut_at_the_end_of_the_graceful_stop(HttpTransport transport)
    {
        var load = new LoadConfig { Executor = ExecutorKind.ConstantVus, Vus = 2, Duration = TimeSpan.FromSeconds(1), GracefulStop = TimeSpan.FromMilliseconds(500), ThinkTime = TimeSpan.Zero, Http = new HttpConfig { Transport = transport } };
        var started = DateTime.UtcNow;
        var result = await Run(server.Http1, load, Scenario.Create("hang", async ctx => { using var r = await ctx.Http.GetAsync("/slow/60000"); }));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Equal(2, Assert.Single(result.Scenarios).InterruptedIterations);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task Cookies_are_kept_per_VU_when_asked(HttpTransport transport)
    {
        var load = Iterations(3, 1, new HttpConfig { Cookies = true, ConnectionPool = ConnectionPoolKind.PerVu, Transport = transport });
        var result = await Run(server.Http1, load, Scenario.Create("cookies", async ctx =>
        {
            using var set = await ctx.Http.GetAsync($"/cookie/set/vu{ctx.VuId}");
            using var get = await ctx.Http.GetAsync("/cookie/get");
            ctx.Check("own cookie", await get.Content.ReadAsStringAsync() == $"vu{ctx.VuId}");
        }));
        Assert.Equal((3, 0), (Assert.Single(Assert.Single(result.Scenarios).Checks).Passed, Assert.Single(Assert.Single(result.Scenarios).Checks).Failed));
    }

    [Fact]
    public async Task Http2_is_spoken_as_h2c_when_asked()
    {
        var result = await Run(server.Http2, Iterations(1, 3, new HttpConfig { Http2 = true }), Scenario.Create("h2", async ctx =>
        {
            using var response = await ctx.Http.GetAsync("/version");
            ctx.Check("HTTP/2", response.Version == HttpVersion.Version20 && await response.Content.ReadAsStringAsync() == "HTTP/2");
        }));
        Assert.Equal(3, Assert.Single(Assert.Single(result.Scenarios).Checks).Passed);
    }

    [Fact]
    public async Task Steps_have_their_own_metrics_and_weights_mix_scenarios_exactly()
    {
        var result = await Run(server.Http1, Iterations(1, 8),
            Scenario.Create("browse", async ctx =>
            {
                await ctx.Step("home", async () => { using var r = await ctx.Http.GetAsync("/ok"); });
                await ctx.Step("detail", async () => { using var r = await ctx.Http.GetAsync("/slow/5"); });
            }).WithWeight(3),
            Scenario.Create("buy", async ctx => { using var r = await ctx.Http.PostAsync("/echo", new StringContent("x")); }));
        var browse = result.Scenarios.Single(s => s.Name == "browse");
        Assert.Equal(6, browse.Iterations);
        Assert.Equal(2, result.Scenarios.Single(s => s.Name == "buy").Iterations);
        Assert.Equal(["detail", "home"], browse.Steps.Select(s => s.Step));
        Assert.All(browse.Steps, s => Assert.Equal(6, s.Requests));
        Assert.Equal(12, browse.Requests.Requests);
    }

    [Fact]
    public async Task Thresholds_are_evaluated_at_the_end_and_an_aborting_one_stops_the_run()
    {
        var load = new LoadConfig
        {
            Executor = ExecutorKind.ConstantVus,
            Vus = 2,
            Duration = TimeSpan.FromSeconds(30),
            GracefulStop = TimeSpan.FromSeconds(1),
            ThinkTime = TimeSpan.FromMilliseconds(10),
            Thresholds =
            [
                ThresholdDefinition.Parse("http_req_failed", "rate<0.1", abortOnFail: true, delayAbortEval: TimeSpan.FromSeconds(1)),
                ThresholdDefinition.Parse("http_reqs", "count>0"),
                ThresholdDefinition.Parse("http_req_duration{scenario:failing}", "p(99)<60000"),
            ],
        };
        var started = DateTime.UtcNow;
        var result = await Run(server.Http1, load, Scenario.Create("failing", async ctx => { using var r = await ctx.Http.GetAsync("/status/500"); }));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the run was not aborted");
        Assert.True(result.Aborted);
        Assert.Contains("http_req_failed", result.AbortReason);
        Assert.Equal([false, true, true], result.Thresholds.Select(t => t.Passed));
        Assert.Equal(1.0, result.Thresholds[0].Actual);
    }
}
