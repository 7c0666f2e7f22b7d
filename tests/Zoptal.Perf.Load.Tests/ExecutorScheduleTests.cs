using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load.Execution;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Load.Tests;

/// <summary>Executor schedules under a fake clock: exact counts and times, no waiting.</summary>
public sealed class ExecutorScheduleTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs with a fake clock, advancing it in small steps while giving continuations real time to run.</summary>
    private static async Task<LoadRunResult> RunFake(LoadConfig load, FakeTimeProvider time, params Scenario[] scenarios)
    {
        var run = new LoadRunner(new LoadRunOptions { Scenarios = scenarios, Load = load, Time = time, BaseAddress = new Uri("http://127.0.0.1:9/") }).RunAsync();
        for (var i = 0; i < 100_000 && !run.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(1);
        }

        Assert.True(run.IsCompleted, "the run did not finish under the fake clock");
        return await run;
    }

    private static Scenario Sleeping(string name, FakeTimeProvider time, TimeSpan busy, ConcurrentBag<(int Vu, TimeSpan At)>? starts = null)
    {
        var origin = time.GetTimestamp(); // the run starts at this fake instant
        return Scenario.Create(name, async ctx =>
        {
            // The intended start: what the executor scheduled, independent of how fast the thread pool picked it up.
            starts?.Add((ctx.VuId, time.GetElapsedTime(origin, ctx.IntendedStart)));
            await Task.Delay(busy, time, ctx.Cancellation);
        });
    }

    [Fact]
    public async Task Constant_arrival_rate_starts_exactly_rate_times_duration_iterations_on_schedule()
    {
        var time = new FakeTimeProvider(Epoch);
        var starts = new ConcurrentBag<(int Vu, TimeSpan At)>();
        var load = new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 10, TimeUnit = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(2), PreAllocatedVus = 5, MaxVus = 5, GracefulStop = TimeSpan.FromSeconds(1) };
        var result = await RunFake(load, time, Sleeping("s", time, TimeSpan.FromMilliseconds(50), starts));
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(20, scenario.Iterations);
        Assert.Equal(0, scenario.DroppedIterations);
        var times = starts.Select(s => s.At.TotalMilliseconds).Order().ToList();
        for (var i = 0; i < 20; i++)
            Assert.Equal(times[0] + i * 100, times[i], 3); // due every 100 ms exactly
        Assert.Equal(20, scenario.ScheduleLag.Count);
    }

    [Fact]
    public void Constant_arrival_rate_fires_at_0_and_every_interval_under_the_duration_as_k6()
    {
        var load = new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 3, TimeUnit = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(1.5) };
        Assert.Equal([0, 1 / 3.0, 2 / 3.0, 1, 4 / 3.0], Offsets(ArrivalSchedule.Constant(load)), new Tolerance(1e-6));
        var exact = load with { Rate = 5000, Duration = TimeSpan.FromSeconds(30) };
        Assert.Equal(150_000, Offsets(ArrivalSchedule.Constant(exact)).Count);
        var slow = load with { Rate = 1, TimeUnit = TimeSpan.FromMinutes(1), Duration = TimeSpan.FromSeconds(30) };
        Assert.Equal([0.0], Offsets(ArrivalSchedule.Constant(slow)));
    }

    [Fact]
    public async Task An_iteration_that_finds_every_VU_busy_waits_in_the_backlog_and_keeps_its_intended_start()
    {
        // 10/s with one VU and iterations of 150 ms: each waits longer than the last, none is lost.
        var time = new FakeTimeProvider(Epoch);
        var starts = new ConcurrentBag<(int Vu, TimeSpan At)>();
        var load = new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 10, Duration = TimeSpan.FromSeconds(1), PreAllocatedVus = 1, MaxVus = 1, GracefulStop = TimeSpan.FromSeconds(3) };
        var result = await RunFake(load, time, Sleeping("busy", time, TimeSpan.FromMilliseconds(150), starts));
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(10, scenario.Iterations);
        Assert.Equal(0, scenario.DroppedIterations);
        var intended = starts.Select(s => s.At.TotalMilliseconds).Order().ToList();
        for (var i = 0; i < 10; i++)
            Assert.Equal(intended[0] + i * 100, intended[i], 3); // the schedule, not when a VU got to it
        Assert.InRange(scenario.ScheduleLag.Max, 440, 470); // the 10th, due at 900 ms, started at 1,350 ms
    }

    [Fact]
    public async Task When_no_VU_is_free_and_maxVUs_is_reached_iterations_are_dropped_and_counted()
    {
        var time = new FakeTimeProvider(Epoch);
        var load = new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 10, Duration = TimeSpan.FromSeconds(1), PreAllocatedVus = 1, MaxVus = 2, GracefulStop = TimeSpan.FromSeconds(2), OnSaturation = SaturationPolicy.Drop };
        var result = await RunFake(load, time, Sleeping("busy", time, TimeSpan.FromSeconds(5)));
        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal(2, result.VusMax);
        Assert.Equal(8, scenario.DroppedIterations);
        Assert.Equal(2, scenario.InterruptedIterations); // the two busy ones were cut after the graceful stop
    }

    [Fact]
    public void Ramping_arrival_rate_fires_when_the_integral_of_the_rate_reaches_each_whole_iteration_as_k6()
    {
        var load = new LoadConfig
        {
            Executor = ExecutorKind.RampingArrivalRate,
            Rate = 0,
            TimeUnit = TimeSpan.FromSeconds(1),
            Stages = [new StageConfig(TimeSpan.FromSeconds(10), 10), new StageConfig(TimeSpan.FromSeconds(5), 10)],
        };
        var offsets = Offsets(ArrivalSchedule.Ramping(load));
        Assert.Equal(50 + 50, offsets.Count); // a ramp 0→10/s over 10 s is 50 iterations, then 10/s for 5 s is 50
        Assert.Equal(Math.Sqrt(2), offsets[0], 6);  // t²/2 = 1: k6 counts from 1, the first at 1.414 s
        Assert.Equal(Math.Sqrt(50), offsets[24], 6);
        Assert.Equal(10.0, offsets[49], 6);
        Assert.Equal(10.1, offsets[50], 6);
        Assert.Equal(15.0, offsets[^1], 6);
        Assert.True(offsets.Zip(offsets.Skip(1)).All(p => p.First <= p.Second));

        // A flat stage at rate r fires first at 1/r.
        var flat = load with { Rate = 4, Stages = [new StageConfig(TimeSpan.FromSeconds(1), 4)] };
        Assert.Equal([0.25, 0.5, 0.75, 1.0], Offsets(ArrivalSchedule.Ramping(flat)), new Tolerance(1e-6));
        // A stage at rate 0 fires nothing and the schedule goes on after it.
        var pause = load with { Rate = 0, Stages = [new StageConfig(TimeSpan.FromSeconds(2), 0), new StageConfig(TimeSpan.FromSeconds(1), 0), new StageConfig(TimeSpan.FromSeconds(1), 2)] };
        Assert.Equal([4.0], Offsets(ArrivalSchedule.Ramping(pause)), new Tolerance(1e-6)); // 0→2/s over 1 s: area 1 at its end
    }

    private static List<double> Offsets(ArrivalSchedule schedule)
    {
        var offsets = new List<double>();
        for (var i = 0; schedule.OffsetOf(i) is { } offset; i++)
            offsets.Add(offset.TotalSeconds);
        return offsets;
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < epsilon;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public async Task Ramping_vus_uses_retired_VUs_again_so_vus_max_is_the_peak()
    {
        var time = new FakeTimeProvider(Epoch);
        var load = new LoadConfig
        {
            Executor = ExecutorKind.RampingVus,
            Stages = [new StageConfig(TimeSpan.FromSeconds(1), 4), new StageConfig(TimeSpan.FromSeconds(1), 0), new StageConfig(TimeSpan.FromSeconds(1), 4), new StageConfig(TimeSpan.FromSeconds(1), 0)],
            GracefulRampDown = TimeSpan.FromMilliseconds(100),
            GracefulStop = TimeSpan.FromMilliseconds(200),
        };
        var starts = new ConcurrentBag<(int Vu, TimeSpan At)>();
        var result = await RunFake(load, time, Sleeping("s", time, TimeSpan.FromMilliseconds(50), starts));
        Assert.Equal(4, result.VusMax);
        Assert.Contains(starts, s => s.At > TimeSpan.FromSeconds(2.5)); // the second ramp ran, on the first ramp's VUs
    }

    [Fact]
    public void Ramping_vus_targets_follow_the_stages_linearly()
    {
        var stages = new List<StageConfig> { new(TimeSpan.FromSeconds(10), 10), new(TimeSpan.FromSeconds(10), 10), new(TimeSpan.FromSeconds(5), 0) };
        Assert.Equal(0, RampingVusExecutor.TargetAt(stages, TimeSpan.Zero));
        Assert.Equal(5, RampingVusExecutor.TargetAt(stages, TimeSpan.FromSeconds(5)));
        Assert.Equal(10, RampingVusExecutor.TargetAt(stages, TimeSpan.FromSeconds(15)));
        Assert.Equal(6, RampingVusExecutor.TargetAt(stages, TimeSpan.FromSeconds(22)));
        Assert.Equal(0, RampingVusExecutor.TargetAt(stages, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Ramping_vus_adds_and_retires_VUs_along_the_stages()
    {
        var time = new FakeTimeProvider(Epoch);
        var seen = new ConcurrentBag<(int Vu, TimeSpan At)>();
        var load = new LoadConfig
        {
            Executor = ExecutorKind.RampingVus,
            Stages = [new StageConfig(TimeSpan.FromSeconds(2), 4), new StageConfig(TimeSpan.FromSeconds(2), 4), new StageConfig(TimeSpan.FromSeconds(2), 0)],
            GracefulRampDown = TimeSpan.FromMilliseconds(200),
            GracefulStop = TimeSpan.FromMilliseconds(200),
        };
        var result = await RunFake(load, time, Sleeping("s", time, TimeSpan.FromMilliseconds(100), seen));
        Assert.Equal(4, result.VusMax);
        var inPlateau = seen.Where(s => s.At >= TimeSpan.FromSeconds(2.2) && s.At < TimeSpan.FromSeconds(3.9)).Select(s => s.Vu).Distinct().Count();
        Assert.Equal(4, inPlateau);
        Assert.DoesNotContain(seen, s => s.At > TimeSpan.FromSeconds(6.05));
        var early = seen.Where(s => s.At < TimeSpan.FromSeconds(0.4)).Select(s => s.Vu).Distinct().Count();
        Assert.True(early <= 1, $"{early} VUs ran in the first 0.4 s of a ramp to 4 over 2 s");
    }

    [Fact]
    public async Task Shared_iterations_run_the_total_exactly_across_VUs()
    {
        var time = new FakeTimeProvider(Epoch);
        var load = new LoadConfig { Executor = ExecutorKind.SharedIterations, Vus = 3, Iterations = 10, Duration = TimeSpan.FromMinutes(1) };
        var starts = new ConcurrentBag<(int Vu, TimeSpan At)>();
        var result = await RunFake(load, time, Sleeping("s", time, TimeSpan.FromMilliseconds(30), starts));
        Assert.Equal(10, Assert.Single(result.Scenarios).Iterations);
        Assert.Equal(3, starts.Select(s => s.Vu).Distinct().Count());
    }

    [Fact]
    public async Task Per_VU_iterations_run_each_VUs_share_exactly()
    {
        var time = new FakeTimeProvider(Epoch);
        var load = new LoadConfig { Executor = ExecutorKind.PerVuIterations, Vus = 3, Iterations = 4, Duration = TimeSpan.FromMinutes(1) };
        var starts = new ConcurrentBag<(int Vu, TimeSpan At)>();
        var result = await RunFake(load, time, Sleeping("s", time, TimeSpan.FromMilliseconds(30), starts));
        Assert.Equal(12, Assert.Single(result.Scenarios).Iterations);
        Assert.All(starts.GroupBy(s => s.Vu), g => Assert.Equal(4, g.Count()));
    }

    [Fact]
    public async Task Constant_vus_hold_the_count_for_the_duration_with_think_time()
    {
        var time = new FakeTimeProvider(Epoch);
        var load = new LoadConfig { Executor = ExecutorKind.ConstantVus, Vus = 3, Duration = TimeSpan.FromSeconds(1), GracefulStop = TimeSpan.FromSeconds(1) };
        var starts = new ConcurrentBag<(int Vu, TimeSpan At)>();
        var scenario = Sleeping("s", time, TimeSpan.FromMilliseconds(100), starts).WithThinkTime(TimeSpan.FromMilliseconds(100));
        var result = await RunFake(load, time, scenario);
        Assert.Equal(3, result.VusMax);
        // Each VU: an iteration every 200 ms (100 busy + 100 think) for 1 s.
        Assert.All(starts.GroupBy(s => s.Vu), g => Assert.InRange(g.Count(), 5, 6));
    }

    [Fact]
    public async Task The_configs_think_time_applies_unless_the_scenario_has_its_own()
    {
        var time = new FakeTimeProvider(Epoch);
        var load = new LoadConfig { Executor = ExecutorKind.ConstantVus, Vus = 1, Duration = TimeSpan.FromSeconds(1), GracefulStop = TimeSpan.FromSeconds(1), ThinkTime = TimeSpan.FromMilliseconds(400) };
        var fromConfig = new ConcurrentBag<(int Vu, TimeSpan At)>();
        await RunFake(load, time, Sleeping("config", time, TimeSpan.FromMilliseconds(100), fromConfig));
        Assert.InRange(fromConfig.Count, 2, 2); // every 500 ms: 100 busy + 400 think

        time = new FakeTimeProvider(Epoch);
        var own = new ConcurrentBag<(int Vu, TimeSpan At)>();
        await RunFake(load, time, Sleeping("own", time, TimeSpan.FromMilliseconds(100), own).WithThinkTime(TimeSpan.Zero));
        Assert.InRange(own.Count, 10, 11);
    }
}
