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
        var retiring = new List<(VirtualUser Vu, Task Loop)>();
        var free = new Stack<VirtualUser>();
        while (!run.StopStarting)
        {
            var elapsed = run.Time.GetElapsedTime(start);
            if (elapsed >= total)
                break;
            var target = TargetAt(stages, elapsed);
            if (active.Count < target)
            {
                // As k6: a VU retired by a ramp-down is used again once its last iteration has ended, so vus_max is the
                // peak of VUs in use, not the number ever made.
                retiring.RemoveAll(r =>
                {
                    if (!r.Loop.IsCompleted)
                        return false;
                    free.Push(r.Vu);
                    return true;
                });
            }

            while (active.Count < target)
            {
                VirtualUser vu;
                if (free.TryPop(out var reused))
                {
                    reused.Revive();
                    vu = reused;
                }
                else
                {
                    vu = run.CreateVu();
                }

                active.Add((vu, ClosedLoop.Start(run, vu, static () => true)));
            }

            while (active.Count > target)
            {
                var (vu, loop) = active[^1];
                vu.Retire(run.Load.GracefulRampDown);
                retiring.Add((vu, loop));
                active.RemoveAt(active.Count - 1);
            }

            await run.WaitAsync(Tick).ConfigureAwait(false);
        }

        await run.FinishAsync(active.Select(a => a.Loop).Concat(retiring.Select(r => r.Loop)), run.Load.GracefulStop).ConfigureAwait(false);
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

/// <summary>When each iteration of an open-model run is due, as an offset from the run's start, exactly as k6 schedules it.</summary>
internal sealed class ArrivalSchedule(Func<long, TimeSpan?> offsetOf)
{
    private const double Epsilon = 1e-9;

    /// <summary>The offset of iteration <paramref name="index"/> (from 0), or null when the schedule has ended.</summary>
    public TimeSpan? OffsetOf(long index) => offsetOf(index);

    /// <summary>
    /// k6's constant-arrival-rate: <c>rate</c> iterations per <c>timeUnit</c>, the first at 0 and one every
    /// timeUnit/rate while the offset is under the duration (3/s for 1.5 s: 0, 0.33, 0.67, 1, 1.33 s, five).
    /// </summary>
    public static ArrivalSchedule Constant(LoadConfig load)
    {
        var perSecond = (load.Rate ?? 1) / load.TimeUnit.TotalSeconds;
        var total = (long)Math.Ceiling(perSecond * load.Duration.TotalSeconds - Epsilon);
        return new ArrivalSchedule(i => i < total ? TimeSpan.FromSeconds(i / perSecond) : null);
    }

    /// <summary>
    /// k6's ramping-arrival-rate: the rate moves linearly through the stages from <c>rate</c> (startRate, or 0), and
    /// iteration k (from 0) is due when the integral of the rate reaches k + 1, solved exactly per stage (k6's
    /// <c>cal</c>): from 0 to 10/s over 10 s the first is due at √2 = 1.414 s; at a flat rate r, at 1/r.
    /// </summary>
    public static ArrivalSchedule Ramping(LoadConfig load)
    {
        var unit = load.TimeUnit.TotalSeconds;
        var segments = new List<(double Start, double Duration, double From, double To, double Before, double End)>();
        double from = (load.Rate ?? 0) / unit, at = 0, count = 0;
        foreach (var stage in load.Stages)
        {
            var to = stage.Target / unit;
            var duration = stage.Duration.TotalSeconds;
            var end = count + (from + to) / 2 * duration;
            segments.Add((at, duration, from, to, count, end));
            count = end;
            at += duration;
            from = to;
        }

        return new ArrivalSchedule(index =>
        {
            var area = index + 1.0;
            foreach (var (start, duration, r0, r1, before, end) in segments)
            {
                if (area > end + Epsilon || end - before < Epsilon)
                    continue;
                var k = area - before;
                var t = Math.Abs(r1 - r0) < 1e-12
                    ? k / r1
                    : (r0 * duration - Math.Sqrt(Math.Max(0, duration * (r0 * r0 * duration + 2 * k * (r1 - r0))))) / (r0 - r1);
                return TimeSpan.FromSeconds(start + Math.Clamp(t, 0, duration));
            }

            return null;
        });
    }
}

/// <summary>
/// k6's constant- and ramping-arrival-rate: iterations start on an exact schedule, each on a free VU; when none is
/// free a new one is allocated up to maxVUs. Beyond that, by default (wrk2's truth) the iteration waits in a bounded
/// backlog for the next free VU and keeps its intended start, so the wait counts in its latency and schedule lag;
/// when the backlog is full, or with <c>onSaturation: drop</c> (k6's behaviour), it is dropped and counted.
/// </summary>
internal sealed class ArrivalRateExecutor(ArrivalSchedule schedule) : IExecutor
{
    private readonly Lock _lock = new();
    private readonly Stack<VirtualUser> _idle = new();
    private readonly Queue<long> _backlog = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RunState _run = null!;
    private WeightedPicker _dropPicker = null!;
    private int _maxVus;
    private int _backlogCap;
    private int _busy;
    private bool _scheduleDone;

    public async Task RunAsync(RunState run)
    {
        _run = run;
        var preAllocated = run.Load.PreAllocatedVus ?? run.Load.Vus;
        _maxVus = Math.Max(preAllocated, run.Load.MaxVus ?? preAllocated);
        _backlogCap = run.Load.OnSaturation == SaturationPolicy.Wait ? run.Load.Backlog : 0;
        for (var i = 0; i < preAllocated; i++)
            _idle.Push(run.CreateVu());
        _dropPicker = new WeightedPicker(run.Scenarios.Select(s => s.Weight).ToArray());

        var dispatcher = run.Time == TimeProvider.System
            ? Task.Factory.StartNew(DispatchOnThread, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : DispatchAsync();
        await dispatcher.ConfigureAwait(false);
        lock (_lock)
        {
            _scheduleDone = true;
            if (_busy == 0)
                _drained.TrySetResult();
        }

        await run.FinishAsync([_drained.Task], run.Load.GracefulStop).ConfigureAwait(false);
        lock (_lock)
            DropBacklog();
    }

    /// <summary>Iterations waiting for a free VU now.</summary>
    internal int Waiting
    {
        get
        {
            lock (_lock)
                return _backlog.Count;
        }
    }

    // Real time: a dedicated thread sleeps until each iteration is due (to the microsecond where the OS allows) and
    // starts it, stamped with its intended time, so any slack shows up as schedule lag instead of shifting the schedule.
    private void DispatchOnThread()
    {
        Thread.CurrentThread.Name = "arrival-rate dispatcher";
        var run = _run;
        var frequency = run.Time.TimestampFrequency;
        long index = 0;
        while (!run.StopStarting)
        {
            // Start everything that is due, stamped with its intended time, then sleep until the next one is due but at
            // least 100 µs, so iterations leave in small batches instead of waking a pool thread for each one.
            var now = run.Time.GetTimestamp();
            long due;
            while (true)
            {
                if (schedule.OffsetOf(index) is not { } offset)
                    return;
                due = run.StartTimestamp + (long)(offset.TotalSeconds * frequency);
                if (due > now || run.StopStarting)
                    break;
                Start(due);
                index++;
            }

            PreciseSleep.For(Math.Max(100, (due - now) * 1_000_000 / frequency));
        }
    }

    private async Task DispatchAsync()
    {
        var run = _run;
        for (long index = 0; !run.StopStarting; index++)
        {
            if (schedule.OffsetOf(index) is not { } offset)
                return;
            var due = run.StartTimestamp + (long)(offset.TotalSeconds * run.Time.TimestampFrequency);
            var wait = run.Time.GetElapsedTime(run.Time.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
                await run.WaitAsync(wait).ConfigureAwait(false);
            if (!run.StopStarting)
                Start(due);
        }
    }

    private void Start(long due)
    {
        VirtualUser vu;
        lock (_lock)
        {
            if (!_idle.TryPop(out vu!))
            {
                if (_run.MaxVus >= _maxVus)
                {
                    if (_backlog.Count < _backlogCap)
                        _backlog.Enqueue(due);
                    else
                        Drop(1);
                    return;
                }

                vu = _run.CreateVu();
            }

            _busy++;
        }

        _run.VuStarted();
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Executor.RunVuAsync(state.Vu, state.Due), (Executor: this, Vu: vu, Due: due), preferLocal: false);
    }

    // A VU runs its iteration, then whatever waits in the backlog (oldest first), then goes back to the idle stack.
    private async Task RunVuAsync(VirtualUser vu, long due)
    {
        while (true)
        {
            await vu.RunIterationAsync(due).ConfigureAwait(false);
            lock (_lock)
            {
                if (_backlog.Count > 0)
                {
                    if (!_run.External.IsCancellationRequested && !_run.HardStop.IsCancellationRequested)
                    {
                        due = _backlog.Dequeue();
                        continue;
                    }

                    DropBacklog();
                }

                _idle.Push(vu);
                _busy--;
                if (_busy == 0 && _scheduleDone)
                    _drained.TrySetResult();
            }

            break;
        }

        _run.VuStopped();
    }

    // Iterations still waiting when the run stops were never started: they count as dropped.
    private void DropBacklog()
    {
        Drop(_backlog.Count);
        _backlog.Clear();
    }

    // Under _lock: the picker is not thread-safe. A dropped iteration never chose its scenario; it is charged by weight.
    private void Drop(int count)
    {
        for (var i = 0; i < count; i++)
            _run.Metrics[_run.Scenarios[_dropPicker.Next()].Name].RecordDropped();
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
