using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Load.Execution;

/// <summary>A request's timeout source; <paramref name="Swept"/> when the run's sweeper enforces it.</summary>
internal readonly record struct RequestTimeout(CancellationTokenSource Source, bool Swept, CancellationTokenRegistration Registration);

/// <summary>
/// A virtual user: its own HTTP client, context and state, and a cancellation source linked to the run's hard stop
/// (cancelled on its own when a ramp-down's graceful time runs out). Picks scenarios by weight, exactly in proportion.
/// </summary>
public sealed class VirtualUser : IDisposable
{
    private readonly RunState _run;
    private CancellationTokenSource _cancellation;
    private readonly WeightedPicker _mix;
    private readonly Pacing _pacing = new();
    private Scenario? _lastScenario;

    internal VirtualUser(int id, RunState run)
    {
        Id = id;
        _run = run;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(run.HardStop);
        _mix = new WeightedPicker([.. run.Scenarios.Select(s => s.Weight)]);
        _cachedSource = CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token);
        Context = new ScenarioContext(this, run.Http.CreateClient(this));
    }

    /// <summary>The VU's number, from 1.</summary>
    public int Id { get; }

    internal ScenarioContext Context { get; }

    internal CancellationToken IterationToken => _cancellation.Token;

    /// <summary>Set by a ramp-down: finish the running iteration, start no other.</summary>
    internal bool Retired { get; private set; }

    // The scenario's own think time, else the config's (load.thinkTime).
    internal TimeSpan ThinkTime => _lastScenario?.ThinkTime ?? _run.Load.ThinkTime;

    internal void Log(string message) => _run.Log(message);

    // Per-request timeouts without a timer on the hot path: the VU's first request uses a reusable source and a
    // deadline that the run's sweeper checks; _deadline is 0 when idle and -1 once the sweeper has taken the request.
    private CancellationTokenSource? _cachedSource;
    private CancellationTokenSource? _timedSource;
    private long _deadline;

    internal RequestTimeout BeginRequest(CancellationToken callerToken, TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _cachedSource, null) is { } cached)
        {
            Volatile.Write(ref _timedSource, cached);
            Volatile.Write(ref _deadline, _run.Time.GetTimestamp() + (long)(timeout.TotalSeconds * _run.Time.TimestampFrequency));
            // HttpClient always passes a token of its own; a registration on it is far cheaper than a linked source.
            var registration = callerToken.CanBeCanceled
                ? callerToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), cached)
                : default;
            return new RequestTimeout(cached, Swept: true, registration);
        }

        // A second request of the same VU at once: a source with its own timer.
        var own = CancellationTokenSource.CreateLinkedTokenSource(callerToken, _cancellation.Token);
        own.CancelAfter(timeout);
        return new RequestTimeout(own, Swept: false, default);
    }

    internal void EndRequest(RequestTimeout lease)
    {
        if (!lease.Swept)
        {
            lease.Source.Dispose();
            return;
        }

        lease.Registration.Dispose();

        Volatile.Write(ref _timedSource, null);
        var expired = Interlocked.Exchange(ref _deadline, 0) == -1;
        // An expired source may still be cancelled by the sweeper, and a cancelled one cannot be reset: start afresh.
        var next = !expired && lease.Source.TryReset() ? lease.Source : CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token);
        if (!expired && next != lease.Source)
            lease.Source.Dispose();
        Volatile.Write(ref _cachedSource, next);
    }

    /// <summary>
    /// The sweeper's check. The compare-and-swap succeeds only while the same request (the same deadline) is in
    /// flight, so a request that ended meanwhile, or the next one reusing the source, is never cancelled by mistake.
    /// </summary>
    internal void ExpireTimeout(long now)
    {
        var deadline = Volatile.Read(ref _deadline);
        if (deadline <= 0 || now < deadline)
            return;
        var source = Volatile.Read(ref _timedSource);
        if (source is not null && Interlocked.CompareExchange(ref _deadline, -1, deadline) == deadline)
            source.Cancel();
    }

    internal void Retire(TimeSpan gracefulRampDown)
    {
        Retired = true;
        _cancellation.CancelAfter(gracefulRampDown);
    }

    /// <summary>
    /// Brings a retired VU whose loop has ended back (ramping-vus reuses VUs as k6 does, so vus_max is the peak, not
    /// the number of VUs ever made). Its cancellation starts afresh; its pacing history is dropped.
    /// </summary>
    internal void Revive()
    {
        Retired = false;
        _cancellation.Dispose();
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(_run.HardStop);
        Interlocked.Exchange(ref _cachedSource, CancellationTokenSource.CreateLinkedTokenSource(_cancellation.Token))?.Dispose();
        _pacing.Reset();
    }

    /// <summary>Runs one iteration; <paramref name="intendedStart"/> is its scheduled timestamp in the open model, 0 in the closed.</summary>
    internal async Task RunIterationAsync(long intendedStart)
    {
        var time = _run.Time;
        var start = time.GetTimestamp();
        var scenario = NextScenario();
        var metrics = _run.Metrics[scenario.Name];
        var context = Context;
        context.Metrics = metrics;
        context.CurrentStep = null;
        context.Cancellation = _cancellation.Token;
        context.ActualStart = start;
        context.IntendedStart = intendedStart == 0 ? start : Math.Min(intendedStart, start);
        if (intendedStart != 0)
            metrics.RecordScheduleLag(Histograms.Microseconds(context.IntendedStart, start, time.TimestampFrequency));
        else
            _pacing.IterationStarted(start, time.TimestampFrequency);
        // Open models measure from the schedule already; a closed-model VU's requests are corrected by its own pacing.
        context.ExpectedIntervalMicroseconds = intendedStart == 0 ? _pacing.ExpectedMicroseconds : 0;

        var failed = false;
        try
        {
            await scenario.Run(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            metrics.RecordInterrupted();
            return;
        }
        catch (Exception e)
        {
            failed = true;
            _run.ReportIterationError(scenario.Name, e);
        }
        finally
        {
            context.Iteration++;
        }

        metrics.RecordIteration(Histograms.Microseconds(start, time.GetTimestamp(), time.TimestampFrequency), failed);
    }

    // Exactly in proportion to the weights over every window of sum(weights) iterations.
    private Scenario NextScenario() => _lastScenario = _run.Scenarios[_mix.Next()];

    /// <summary>
    /// A closed-model VU's pacing: the median of its last 16 start-to-start intervals (think time included), known once
    /// it has 3. The median, so the long interval of a stalled iteration does not become the expected one.
    /// </summary>
    private sealed class Pacing
    {
        private const int Window = 16;
        private const int Needed = 3;
        private readonly long[] _intervals = new long[Window];
        private int _count;
        private int _next;
        private long _lastStart;

        /// <summary>The expected interval in µs; 0 while unknown.</summary>
        public long ExpectedMicroseconds { get; private set; }

        public void IterationStarted(long timestamp, long frequency)
        {
            if (_lastStart != 0)
            {
                _intervals[_next] = Histograms.Microseconds(_lastStart, timestamp, frequency);
                _next = (_next + 1) % Window;
                _count = Math.Min(_count + 1, Window);
                if (_count >= Needed)
                {
                    Span<long> sorted = stackalloc long[_count];
                    _intervals.AsSpan(0, _count).CopyTo(sorted);
                    sorted.Sort();
                    ExpectedMicroseconds = Math.Max(1, sorted[_count / 2]);
                }
            }

            _lastStart = timestamp;
        }

        public void Reset()
        {
            _count = _next = 0;
            _lastStart = 0;
            ExpectedMicroseconds = 0;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Context.Http.Dispose();
        _cachedSource?.Dispose();
        _cancellation.Dispose();
    }
}
