using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Load.Execution;

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
