using System.Collections.Concurrent;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Load.Execution;

/// <summary>Runs a scenario mix with one of k6's executors.</summary>
internal interface IExecutor
{
    Task RunAsync(RunState run);
}

/// <summary>Picks the executor the config names.</summary>
internal static class ExecutorFactory
{
    public static IExecutor Create(LoadConfig load) => load.Executor switch
    {
        ExecutorKind.ConstantVus => new ConstantVusExecutor(),
        ExecutorKind.RampingVus => new RampingVusExecutor(),
        ExecutorKind.PerVuIterations => new PerVuIterationsExecutor(),
        ExecutorKind.SharedIterations => new SharedIterationsExecutor(),
        ExecutorKind.ConstantArrivalRate => new ArrivalRateExecutor(ArrivalSchedule.Constant(load)),
        _ => new ArrivalRateExecutor(ArrivalSchedule.Ramping(load)),
    };
}

/// <summary>The closed model: a VU starts its next iteration when the last one ends (plus think time).</summary>
internal static class ClosedLoop
{
    public static Task Start(RunState run, VirtualUser vu, Func<bool> mayStart) => Task.Run(async () =>
    {
        run.VuStarted();
        try
        {
            while (!run.StopStarting && !vu.Retired && mayStart())
            {
                await vu.RunIterationAsync(0).ConfigureAwait(false);
                var think = vu.ThinkTime;
                if (think <= TimeSpan.Zero || run.StopStarting || vu.Retired)
                    continue;
                try
                {
                    await Task.Delay(think, run.Time, vu.IterationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            run.VuStopped();
        }
    });
}

/// <summary>k6's constant-vus: a fixed number of VUs loop for the duration.</summary>
internal sealed class ConstantVusExecutor : IExecutor
{
    public async Task RunAsync(RunState run)
    {
        var vus = Enumerable.Range(0, run.Load.Vus).Select(_ => run.CreateVu()).ToList();
        var loops = vus.Select(vu => ClosedLoop.Start(run, vu, static () => true)).ToList();
        await run.WaitAsync(run.Load.Duration).ConfigureAwait(false);
        await run.FinishAsync(loops, run.Load.GracefulStop).ConfigureAwait(false);
    }
}

/// <summary>
/// k6's ramping-vus: the VU count follows the stages linearly; VUs removed by a ramp-down finish their iteration
/// within gracefulRampDown, and the running ones at the end get gracefulStop.
/// </summary>
internal sealed class RampingVusExecutor : IExecutor
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    public async Task RunAsync(RunState run)
    {
        var stages = run.Load.EffectiveStages();
        var total = TimeSpan.FromTicks(stages.Sum(s => s.Duration.Ticks));
        var start = run.Time.GetTimestamp();
        var active = new List<(VirtualUser Vu, Task Loop)>();
        var retired = new List<Task>();
        while (!run.StopStarting)
        {
            var elapsed = run.Time.GetElapsedTime(start);
            if (elapsed >= total)
                break;
            var target = TargetAt(stages, elapsed);
            while (active.Count < target)
            {
                var vu = run.CreateVu();
                active.Add((vu, ClosedLoop.Start(run, vu, static () => true)));
            }

            while (active.Count > target)
            {
                var (vu, loop) = active[^1];
                vu.Retire(run.Load.GracefulRampDown);
                retired.Add(loop);
                active.RemoveAt(active.Count - 1);
            }

            await run.WaitAsync(Tick).ConfigureAwait(false);
        }

        await run.FinishAsync(active.Select(a => a.Loop).Concat(retired), run.Load.GracefulStop).ConfigureAwait(false);
    }

    /// <summary>The VU count at a moment: linear within each stage, starting from 0.</summary>
    internal static int TargetAt(IReadOnlyList<StageConfig> stages, TimeSpan elapsed)
    {
        var from = 0;
        var stageStart = TimeSpan.Zero;
        foreach (var stage in stages)
        {
            if (elapsed < stageStart + stage.Duration)
            {
                var fraction = stage.Duration <= TimeSpan.Zero ? 1 : (elapsed - stageStart) / stage.Duration;
                return (int)Math.Round(from + (stage.Target - from) * fraction, MidpointRounding.AwayFromZero);
            }

            from = stage.Target;
            stageStart += stage.Duration;
        }

        return from;
    }
}

/// <summary>k6's per-vu-iterations: each VU runs its share of iterations, within the duration (maxDuration).</summary>
internal sealed class PerVuIterationsExecutor : IExecutor
{
    public async Task RunAsync(RunState run)
    {
        var iterations = run.Load.Iterations ?? 1;
        var loops = Enumerable.Range(0, run.Load.Vus).Select(_ =>
        {
            var started = 0;
            return ClosedLoop.Start(run, run.CreateVu(), () => started++ < iterations);
        }).ToList();
        await Task.WhenAny(Task.WhenAll(loops), run.WaitAsync(run.Load.Duration)).ConfigureAwait(false);
        await run.FinishAsync(loops, run.Load.GracefulStop).ConfigureAwait(false);
    }
}

/// <summary>k6's shared-iterations: the VUs share a total, each taking the next as soon as it is free.</summary>
internal sealed class SharedIterationsExecutor : IExecutor
{
    public async Task RunAsync(RunState run)
    {
        var iterations = run.Load.Iterations ?? 1;
        var started = 0;
        var loops = Enumerable.Range(0, run.Load.Vus).Select(_ => run.CreateVu()).ToList()
            .Select(vu => ClosedLoop.Start(run, vu, () => Interlocked.Increment(ref started) <= iterations)).ToList();
        await Task.WhenAny(Task.WhenAll(loops), run.WaitAsync(run.Load.Duration)).ConfigureAwait(false);
        await run.FinishAsync(loops, run.Load.GracefulStop).ConfigureAwait(false);
    }
}

/// <summary>When each iteration of an open-model run is due, as an offset from the run's start.</summary>
internal sealed class ArrivalSchedule(Func<long, TimeSpan?> offsetOf)
{
    /// <summary>The offset of iteration <paramref name="index"/> (from 0), or null when the schedule has ended.</summary>
    public TimeSpan? OffsetOf(long index) => offsetOf(index);

    /// <summary><c>rate</c> iterations per <c>timeUnit</c> for <c>duration</c>, evenly spaced from 0.</summary>
    public static ArrivalSchedule Constant(LoadConfig load)
    {
        var perSecond = (load.Rate ?? 1) / load.TimeUnit.TotalSeconds;
        var total = (long)Math.Floor(perSecond * load.Duration.TotalSeconds + 1e-9);
        return new ArrivalSchedule(i => i < total ? TimeSpan.FromSeconds(i / perSecond) : null);
    }

    /// <summary>
    /// A rate ramped linearly through the stages from <c>rate</c> (or 0). Iteration k is due when the integral of the
    /// rate reaches k, solved exactly per stage, as k6 schedules it.
    /// </summary>
    public static ArrivalSchedule Ramping(LoadConfig load)
    {
        var unit = load.TimeUnit.TotalSeconds;
        var segments = new List<(double Start, double Duration, double From, double To, double CountBefore)>();
        double from = (load.Rate ?? 0) / unit, at = 0, count = 0;
        foreach (var stage in load.Stages)
        {
            var to = stage.Target / unit;
            var duration = stage.Duration.TotalSeconds;
            segments.Add((at, duration, from, to, count));
            count += (from + to) / 2 * duration;
            at += duration;
            from = to;
        }

        return new ArrivalSchedule(index =>
        {
            foreach (var (start, duration, r0, r1, before) in segments)
            {
                var k = index - before;
                var inStage = (r0 + r1) / 2 * duration;
                if (k >= inStage - 1e-9)
                    continue;
                double t;
                if (Math.Abs(r1 - r0) < 1e-12)
                {
                    t = k / r0;
                }
                else
                {
                    // r0·t + (r1 − r0)·t² / (2·d) = k
                    var a = (r1 - r0) / (2 * duration);
                    t = (-r0 + Math.Sqrt(r0 * r0 + 4 * a * k)) / (2 * a);
                }

                return TimeSpan.FromSeconds(start + Math.Clamp(t, 0, duration));
            }

            return null;
        });
    }
}

/// <summary>
/// k6's constant- and ramping-arrival-rate: iterations start on an exact schedule, each on a free VU; when none is
/// free a new one is allocated up to maxVUs, else the iteration is dropped and counted. Each iteration carries its
/// intended start, so latency is measured from the schedule, not from when a VU got to it.
/// </summary>
internal sealed class ArrivalRateExecutor(ArrivalSchedule schedule) : IExecutor
{
    private readonly ConcurrentStack<VirtualUser> _idle = new();
    private TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _scheduleDone;

    public async Task RunAsync(RunState run)
    {
        var preAllocated = run.Load.PreAllocatedVus ?? run.Load.Vus;
        var maxVus = Math.Max(preAllocated, run.Load.MaxVus ?? preAllocated);
        for (var i = 0; i < preAllocated; i++)
            _idle.Push(run.CreateVu());
        var dropPicker = new WeightedPicker(run.Scenarios.Select(s => s.Weight).ToArray());

        var dispatcher = run.Time == TimeProvider.System
            ? Task.Factory.StartNew(() => DispatchOnThread(run, maxVus, dropPicker), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : DispatchAsync(run, maxVus, dropPicker);
        await dispatcher.ConfigureAwait(false);
        _scheduleDone = true;
        if (Volatile.Read(ref _inFlight) == 0)
            _drained.TrySetResult();
        await run.FinishAsync([_drained.Task], run.Load.GracefulStop).ConfigureAwait(false);
    }

    // Real time: a dedicated thread sleeps until each iteration is due (to the microsecond where the OS allows) and
    // starts it, stamped with its intended time, so any slack shows up as schedule lag instead of shifting the schedule.
    private void DispatchOnThread(RunState run, int maxVus, WeightedPicker dropPicker)
    {
        Thread.CurrentThread.Name = "arrival-rate dispatcher";
        var frequency = run.Time.TimestampFrequency;
        long index = 0;
        while (!run.StopStarting)
        {
            // Start everything that is due, stamped with its intended time, then sleep until the next one is due but at
            // least 250 µs, so iterations leave in small batches instead of waking a pool thread for each one.
            var now = run.Time.GetTimestamp();
            long due;
            while (true)
            {
                if (schedule.OffsetOf(index) is not { } offset)
                    return;
                due = run.StartTimestamp + (long)(offset.TotalSeconds * frequency);
                if (due > now || run.StopStarting)
                    break;
                Start(run, due, maxVus, dropPicker);
                index++;
            }

            PreciseSleep.For(Math.Max(100, (due - now) * 1_000_000 / frequency));
        }
    }

    private async Task DispatchAsync(RunState run, int maxVus, WeightedPicker dropPicker)
    {
        for (long index = 0; !run.StopStarting; index++)
        {
            if (schedule.OffsetOf(index) is not { } offset)
                return;
            var due = run.StartTimestamp + (long)(offset.TotalSeconds * run.Time.TimestampFrequency);
            var wait = run.Time.GetElapsedTime(run.Time.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
                await run.WaitAsync(wait).ConfigureAwait(false);
            if (!run.StopStarting)
                Start(run, due, maxVus, dropPicker);
        }
    }

    private void Start(RunState run, long due, int maxVus, WeightedPicker dropPicker)
    {
        if (!_idle.TryPop(out var vu))
        {
            if (run.MaxVus >= maxVus)
            {
                run.Metrics[run.Scenarios[dropPicker.Next()].Name].RecordDropped();
                return;
            }

            vu = run.CreateVu();
        }

        Interlocked.Increment(ref _inFlight);
        run.VuStarted();
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Executor.RunOne(state.Run, state.Vu, state.Due), (Executor: this, Run: run, Vu: vu, Due: due), preferLocal: false);
    }

    private async Task RunOne(RunState run, VirtualUser vu, long due)
    {
        try
        {
            await vu.RunIterationAsync(due).ConfigureAwait(false);
        }
        finally
        {
            run.VuStopped();
            _idle.Push(vu);
            if (Interlocked.Decrement(ref _inFlight) == 0 && _scheduleDone)
                _drained.TrySetResult();
        }
    }
}

/// <summary>Sleeps for microseconds: libc's usleep on Linux (about 60 µs of slack), 1 ms steps elsewhere.</summary>
internal static class PreciseSleep
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "usleep")]
    private static extern int USleep(uint microseconds);

    public static void For(long microseconds)
    {
        var wait = Math.Clamp(microseconds, 50, 50_000);
        if (OperatingSystem.IsLinux())
            USleep((uint)wait);
        else
            Thread.Sleep((int)Math.Max(1, wait / 1000));
    }
}

/// <summary>
/// Smooth weighted round robin over indexes: exact proportions over every window of sum(weights) picks.
/// Not thread-safe: each has one owner (a VU, or the single dispatcher thread).
/// </summary>
internal sealed class WeightedPicker(int[] weights)
{
    private readonly int[] _current = new int[weights.Length];
    private readonly int _total = weights.Sum();

    public int Next()
    {
        var best = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            _current[i] += weights[i];
            if (_current[i] > _current[best])
                best = i;
        }

        _current[best] -= _total;
        return best;
    }
}
