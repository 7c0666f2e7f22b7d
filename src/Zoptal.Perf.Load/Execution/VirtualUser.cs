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
    private readonly CancellationTokenSource _cancellation;
    private readonly WeightedPicker _mix;
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

    /// <inheritdoc />
    public void Dispose()
    {
        Context.Http.Dispose();
        _cachedSource?.Dispose();
        _cancellation.Dispose();
    }
}
