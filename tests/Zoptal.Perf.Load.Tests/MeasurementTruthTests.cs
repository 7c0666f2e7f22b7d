using System.Net;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Thresholds;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;
using static Zoptal.Perf.Load.Tests.EngineRuns;

namespace Zoptal.Perf.Load.Tests;

/// <summary>
/// What the engine's figures mean where a release gate depends on them, against a real Kestrel server: stalls in
/// closed and saturated open models, requests never sent twice, early answers to uploads, redirects, the series.
/// Margins hold on a busy machine: they are about what is measured, not how fast. The class runs alone: the
/// corrected latency rightly counts a generator's own pause (another test class starving the thread pool) as a stall.
/// </summary>
[Collection(Alone.Name)]
public sealed class MeasurementTruthTests(TestServer server) : IClassFixture<TestServer>
{
    private static string Key() => Guid.NewGuid().ToString("N");

    // 200/s with 4 VUs against a server frozen from 1 s to 2 s after the first request: every VU stuck in the freeze.
    private Task<LoadRunResult> Saturated(TimeSpan duration, LoadConfig policy)
    {
        var key = Key();
        var load = policy with
        {
            Executor = ExecutorKind.ConstantArrivalRate,
            Rate = 200,
            Duration = duration,
            PreAllocatedVus = 4,
            MaxVus = 4,
            GracefulStop = TimeSpan.FromSeconds(5),
        };
        return Run(server.Http1, load, Scenario.Create("freeze", async ctx => { using var r = await ctx.Http.GetAsync($"/freeze-once/{key}"); }));
    }

    [Fact]
    public async Task A_closed_model_reports_the_stall_in_its_corrected_latency_as_wrk_does()
    {
        // /stall freezes 500 ms in every 5 s. From the users' side 10 % of the time is frozen and a request sent then
        // waits 0 to 500 ms, so the p99 over whole periods is 500 - 0.01 x 5,000 = 450 ms. Closed-loop VUs each send one
        // request into a freeze and then wait: measured, the stall is a handful of samples; corrected by each VU's pacing
        // (the requests it would have sent), it is the 450 ms above. Start just after a freeze, run two whole periods.
        // A cold process's first requests wait for the JIT and for threads; a stall of the generator's own is corrected
        // like the server's (as wrk's correction does), so warm up first, as wrk2's calibration second does.
        await Run(server.Http1, new LoadConfig { Executor = ExecutorKind.ConstantVus, Vus = 20, Duration = TimeSpan.FromSeconds(1), ThinkTime = TimeSpan.Zero },
            Scenario.Create("warm-up", async ctx => { using var r = await ctx.Http.GetAsync("/ok"); }));
        var wait = TestServer.StallPeriod - server.StallPhase + TimeSpan.FromMilliseconds(600);
        await Task.Delay(TimeSpan.FromTicks(wait.Ticks % TestServer.StallPeriod.Ticks));
        var load = new LoadConfig
        {
            Executor = ExecutorKind.ConstantVus,
            Vus = 20,
            Duration = 2 * TestServer.StallPeriod,
            GracefulStop = TimeSpan.FromSeconds(5),
            ThinkTime = TimeSpan.Zero,
            Thresholds = [ThresholdDefinition.Parse("latency_corrected", "p(99)<2000")],
        };
        var result = await Run(server.Http1, load, Scenario.Create("stall", async ctx => { using var r = await ctx.Http.GetAsync("/stall"); }));
        var requests = Assert.Single(result.Scenarios).Requests;
        var seconds = string.Join(" ", result.Intervals.Select(i => $"{i.Elapsed.TotalSeconds:0.0}s:{i.Requests}/{i.LatencyP99:0}/{i.LatencyCorrectedP99:0}"));
        Assert.True(requests.LatencyCorrected.P99 is > 450 * 0.85 and < 450 * 1.15,
            $"corrected p99 {requests.LatencyCorrected.P99} ms (count {requests.LatencyCorrected.Count}), measured p99 {requests.Latency.P99} max {requests.Latency.Max} (count {requests.Latency.Count}); per second (requests/p99/corrected p99): {seconds}");
        Assert.True(requests.Latency.P99 < 200, $"measured p99 {requests.Latency.P99} ms: a closed model hides the stall");
        Assert.True(requests.LatencyCorrected.Count > requests.Latency.Count);
        Assert.InRange(result.Thresholds[0].Actual, 450 * 0.85, 450 * 1.15); // usable in thresholds
    }

    [Fact]
    public async Task A_saturated_open_model_waits_in_the_backlog_and_measures_from_the_schedule()
    {
        // 200/s for 4 s against a server frozen from 1 s to 2 s with only 4 VUs: the 200 iterations due in the freeze
        // wait for a VU; from their intended starts they took 0 to 1 s, so the p99 of all 800 is 1 s - 0.04 x 1 s = 960 ms.
        var result = await Saturated(TimeSpan.FromSeconds(4), new LoadConfig());
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(0, scenario.DroppedIterations);
        Assert.Equal(800, scenario.Iterations);
        Assert.InRange(scenario.Requests.Latency.P99, 960 * 0.9, 960 * 1.1);
        Assert.True(scenario.ScheduleLag.Max > 500, "the wait for a VU shows as schedule lag");
        Assert.Equal(4, result.VusMax);
    }

    [Fact]
    public async Task With_onSaturation_drop_iterations_without_a_VU_are_dropped_and_counted_as_k6_does()
    {
        var result = await Saturated(TimeSpan.FromSeconds(3), new LoadConfig { OnSaturation = SaturationPolicy.Drop });
        var scenario = Assert.Single(result.Scenarios);
        // About 200 are due in the freeze, 4 of them on the VUs. On a busy machine (stress-ng, load average 10) the 4 VUs
        // also fall behind 200/s now and then outside the freeze, and those are dropped too: more, never fewer.
        Assert.InRange(scenario.DroppedIterations, 170, 300);
        Assert.Equal(600, scenario.PlannedIterations);
        Assert.True(scenario.Requests.Latency.P99 < 960 * 0.9, "the dropped iterations took the slowest part of the run with them");
    }

    [Fact]
    public async Task A_full_backlog_drops_the_rest()
    {
        var result = await Saturated(TimeSpan.FromSeconds(3), new LoadConfig { Backlog = 50 });
        var scenario = Assert.Single(result.Scenarios);
        // About 200 are due in the freeze: 4 on VUs, 50 waiting, the rest dropped. On a busy machine (stress-ng) the 4 VUs
        // fall behind 200/s now and then after the freeze too, and a full backlog drops those as well: more, never fewer.
        Assert.InRange(scenario.DroppedIterations, 120, 300);
        Assert.Equal(600, scenario.PlannedIterations);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task A_POST_is_never_sent_twice_when_the_server_hangs_up(HttpTransport transport)
    {
        // The server answers the first request of each connection and hangs up on the second without answering.
        var key = Key();
        var result = await Run(server.Http1, Iterations(1, 3, new HttpConfig { Transport = transport }), Scenario.Create("post", async ctx =>
        {
            using var r = await ctx.Http.PostAsync($"/hangup/{key}", new StringContent("{\"order\":1}"));
        }));
        var requests = Assert.Single(result.Scenarios).Requests;
        Assert.Equal(3, server.Received[key]); // one POST per iteration, none repeated
        Assert.Equal(3, requests.Requests);
        Assert.Equal(1, requests.Failures[FailureKind.ConnectionReset]); // the unanswered one is a failure, as k6 records the EOF
        Assert.Equal(0, requests.Retries);
    }

    [Fact]
    public async Task A_GET_on_a_reused_connection_that_was_hung_up_is_sent_again_and_counted()
    {
        var key = Key();
        var result = await Run(server.Http1, Iterations(1, 3), Scenario.Create("get", async ctx =>
        {
            using var r = await ctx.Http.GetAsync($"/hangup/{key}");
            ctx.Check("answered", r.StatusCode == HttpStatusCode.OK);
        }));
        // Iteration 2 is the second request on the first connection: hung up, sent again on a new one, answered.
        // Iteration 3 is the second request on that one: the same again.
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(0, scenario.Requests.Failed); // idempotent: retried on a new connection, as Go's client does
        Assert.Equal(2, scenario.Requests.Retries);
        Assert.Equal(5, server.Received[key]);
        Assert.Equal(3, Assert.Single(scenario.Checks).Passed);
    }

    [Fact]
    public async Task A_413_answered_before_the_upload_ends_is_recorded_as_a_413()
    {
        var key = Key();
        var body = new byte[8 * 1024 * 1024];
        var result = await Run(server.Http1, Iterations(1, 2), Scenario.Create("upload", async ctx =>
        {
            using var r = await ctx.Http.PostAsync($"/limited/{key}", new ByteArrayContent(body));
            ctx.Check("413", r.StatusCode == HttpStatusCode.RequestEntityTooLarge);
        }));
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(2, scenario.Requests.Failures[FailureKind.Status4xx]);
        Assert.Equal(2, Assert.Single(scenario.Checks).Passed);
        Assert.Equal(2, server.Received[key]);
    }

    [Fact]
    public async Task A_slowly_read_upload_arrives_whole_and_the_connection_is_reused()
    {
        var key = Key();
        var body = TestServer.Pattern(2 * 1024 * 1024);
        var result = await Run(server.Http1, Iterations(1, 2), Scenario.Create("upload", async ctx =>
        {
            using var r = await ctx.Http.PostAsync($"/slow-upload/{key}", new ByteArrayContent(body));
            ctx.Check("all bytes", await r.Content.ReadAsStringAsync() == body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }));
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(2, Assert.Single(scenario.Checks).Passed);
        Assert.Equal(0, scenario.Requests.Failed);
        Assert.True(scenario.Requests.BytesSent > 2 * body.Length);
        Assert.True(scenario.Requests.ServiceTime.Min > 100, "32 reads with a 5 ms pause each: the upload time is service time");
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task Each_redirect_hop_is_a_sample_as_k6_emits_them(HttpTransport transport)
    {
        var result = await Run(server.Http1, Iterations(1, 2, new HttpConfig { Transport = transport }), Scenario.Create("redirect", async ctx =>
        {
            using var r = await ctx.Http.GetAsync("/redirect/302?to=/ok");
            ctx.Check("followed", await r.Content.ReadAsStringAsync() == "ok");
        }));
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(4, scenario.Requests.Requests); // 2 iterations x (302 + 200)
        Assert.Equal(2, Assert.Single(scenario.Checks).Passed);
        Assert.Equal(0, scenario.Requests.Failed);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task Redirects_follow_SocketsHttpHandlers_rules(HttpTransport transport)
    {
        string? afterPost = null, afterTemporary = null;
        HttpStatusCode endless = 0;
        var result = await Run(server.Http1, Iterations(1, 1, new HttpConfig { Transport = transport }), Scenario.Create("redirects", async ctx =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/redirect/302?to=/method") { Content = new StringContent("data") };
            request.Headers.Authorization = new("Bearer", "secret");
            using var found = await ctx.Http.SendAsync(request);
            afterPost = await found.Content.ReadAsStringAsync(); // 302 after POST: GET, no body, no credentials
            using var temporary = await ctx.Http.PostAsync("/redirect/307?to=/method", new StringContent("data"));
            afterTemporary = await temporary.Content.ReadAsStringAsync();
            using var loop = await ctx.Http.GetAsync("/loop");
            endless = loop.StatusCode; // after 10 redirects the last one is the answer
        }));
        Assert.Equal("GET  -  ", afterPost);
        Assert.Equal("POST text/plain; charset=utf-8 4 data ", afterTemporary);
        Assert.Equal(HttpStatusCode.Redirect, endless);
        Assert.Equal(2 + 2 + 11, Assert.Single(result.Scenarios).Requests.Requests);
    }

    [Fact]
    public async Task The_series_covers_the_run_to_its_end_and_adds_up_to_the_totals()
    {
        var load = new LoadConfig { Executor = ExecutorKind.ConstantVus, Vus = 2, Duration = TimeSpan.FromMilliseconds(2600), GracefulStop = TimeSpan.FromSeconds(1), ThinkTime = TimeSpan.FromMilliseconds(5) };
        var initDone = DateTimeOffset.MinValue;
        var scenario = Scenario.Create("ok", async ctx => { using var r = await ctx.Http.GetAsync("/ok"); }) with
        {
            Init = async _ =>
            {
                await Task.Delay(1200);
                initDone = DateTimeOffset.UtcNow;
            },
        };
        var result = await Run(server.Http1, load, scenario);
        Assert.True(result.StartTime >= initDone, "the clock starts after the init hooks");
        Assert.Equal(result.TotalRequests, result.Intervals.Sum(i => i.Requests));
        Assert.Equal(result.Scenarios[0].Iterations, result.Intervals.Sum(i => i.Iterations));
        var last = result.Intervals[^1];
        Assert.True(last.Length < TimeSpan.FromSeconds(1), $"the last interval is the part of a second left: {last.Length}");
        Assert.Equal(result.Duration.TotalSeconds, result.Intervals.Sum(i => i.Length.TotalSeconds), 2);
        Assert.All(result.Intervals, i => Assert.Equal(i.Requests / i.Length.TotalSeconds, i.RequestsPerSecond, 6));
    }

    [Fact]
    public async Task The_vus_gauge_reads_its_last_sample_and_its_highest_as_max()
    {
        var load = new LoadConfig
        {
            Executor = ExecutorKind.ConstantVus,
            Vus = 3,
            Duration = TimeSpan.FromMilliseconds(2500),
            GracefulStop = TimeSpan.FromSeconds(1),
            ThinkTime = TimeSpan.FromMilliseconds(20),
            Thresholds = [ThresholdDefinition.Parse("vus", "value==3"), ThresholdDefinition.Parse("vus", "max>=3"), ThresholdDefinition.Parse("vus_max", "value==3")],
        };
        var result = await Run(server.Http1, load, Scenario.Create("ok", async ctx => { using var r = await ctx.Http.GetAsync("/ok"); }));
        Assert.All(result.Thresholds, t => Assert.True(t.Passed, t.ToString()));
    }
}

/// <summary>Tests that measure stalls run after the others, one at a time, so no other test's work becomes their stall.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "measures stalls: runs alone";
}
