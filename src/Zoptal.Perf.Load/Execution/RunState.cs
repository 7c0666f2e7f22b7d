using System.Collections.Concurrent;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Load.Http;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Load.Execution;

/// <summary>What the executors share during a run: scenarios, metrics, VUs, the clock and the stop signals.</summary>
internal sealed class RunState : IDisposable
{
    private readonly CancellationTokenSource _hardStop = new();
    private readonly ConcurrentDictionary<string, int> _reportedErrors = new();
    private readonly List<VirtualUser> _allVus = [];
    private readonly Action<string> _log;
    private int _activeVus;
    private volatile bool _stopStarting;

    public RunState(IReadOnlyList<Scenario> scenarios, LoadConfig load, Uri? baseAddress, TimeProvider time, Action<string> log, CancellationToken external,
        HostGuard? guard = null, Action<string, int>? connectObserver = null)
    {
        Scenarios = scenarios;
        Load = load;
        Time = time;
        _log = log;
        External = external;
        Metrics = scenarios.ToDictionary(s => s.Name, s => new ScenarioMetrics(s.Name) { IsExpected = s.IsExpected });
        Http = new HttpClientPool(load.Http, baseAddress, time, guard ?? HostGuard.For(baseAddress), connectObserver);
        StartTimestamp = time.GetTimestamp();
        _sweeper = Task.Run(SweepTimeoutsAsync);
    }

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _sweeper;

    // Enforces request timeouts for all VUs every 50 ms, instead of a timer per request.
    private async Task SweepTimeoutsAsync()
    {
        while (!_disposed.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(SweepInterval, Time, _disposed.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = Time.GetTimestamp();
            lock (_allVus)
            {
                foreach (var vu in _allVus)
                    vu.ExpireTimeout(now);
            }
        }
    }

    public IReadOnlyList<Scenario> Scenarios { get; }
    public LoadConfig Load { get; }
    public TimeProvider Time { get; }
    public IReadOnlyDictionary<string, ScenarioMetrics> Metrics { get; }
    public HttpClientPool Http { get; }
    public long StartTimestamp { get; }

    /// <summary>Ctrl+C or an aborting threshold: stop like the end of the duration, then keep what was measured.</summary>
    public CancellationToken External { get; }

    /// <summary>Cancels every running iteration (after the graceful stop).</summary>
    public CancellationToken HardStop => _hardStop.Token;

    /// <summary>No new iterations start.</summary>
    public bool StopStarting => _stopStarting || External.IsCancellationRequested;

    public int ActiveVus => Volatile.Read(ref _activeVus);

    public int MaxVus { get; private set; }

    public TimeSpan Elapsed => Time.GetElapsedTime(StartTimestamp);

    public void Log(string message) => _log(message);

    public VirtualUser CreateVu()
    {
        lock (_allVus)
        {
            var vu = new VirtualUser(_allVus.Count + 1, this);
            _allVus.Add(vu);
            MaxVus = _allVus.Count;
            return vu;
        }
    }

    public void VuStarted() => Interlocked.Increment(ref _activeVus);

    public void VuStopped() => Interlocked.Decrement(ref _activeVus);

    public void BeginStop() => _stopStarting = true;

    public void ForceStop() => _hardStop.Cancel();

    /// <summary>Logs the first occurrence of each distinct error per scenario, then counts them quietly.</summary>
    public void ReportIterationError(string scenario, Exception exception)
    {
        var key = $"{scenario}: {exception.GetType().Name}: {exception.Message}";
        if (_reportedErrors.AddOrUpdate(key, 1, (_, n) => n + 1) == 1)
            _log($"Iteration of '{scenario}' failed: {exception.GetType().Name}: {exception.Message} (further occurrences are counted, not logged)");
    }

    /// <summary>Stops starting iterations and waits for running ones up to <paramref name="gracefulStop"/>; then cancels them and waits.</summary>
    public async Task FinishAsync(IEnumerable<Task> running, TimeSpan gracefulStop)
    {
        BeginStop();
        var all = Task.WhenAll(running);
        var grace = Task.Delay(gracefulStop, Time, CancellationToken.None);
        if (await Task.WhenAny(all, grace).ConfigureAwait(false) != all)
        {
            ForceStop();
        }

        await all.ConfigureAwait(false);
    }

    /// <summary>Waits for a time (the run's clock), returning early when the run is cancelled from outside.</summary>
    public async Task WaitAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, Time, External).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _sweeper.Wait();
        _disposed.Dispose();
        lock (_allVus)
        {
            foreach (var vu in _allVus)
                vu.Dispose();
        }

        Http.Dispose();
        _hardStop.Dispose();
    }
}
