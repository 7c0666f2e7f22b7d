using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Load.Execution;

/// <summary>
/// A virtual user: its own HTTP client, context and state, and a cancellation source linked to the run's hard stop
/// (cancelled on its own when a ramp-down's graceful time runs out). Picks scenarios by weight, exactly in proportion.
/// </summary>
public sealed class VirtualUser : IDisposable
{
    private readonly RunState _run;
    private readonly CancellationTokenSource _cancellation;
    private readonly int[] _currentWeights;
    private Scenario? _lastScenario;

    internal VirtualUser(int id, RunState run)
    {
        Id = id;
        _run = run;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(run.HardStop);
        _currentWeights = new int[run.Scenarios.Count];
        Context = new ScenarioContext(this, run.Http.CreateClient(this));
    }

    /// <summary>The VU's number, from 1.</summary>
    public int Id { get; }

    internal ScenarioContext Context { get; }

    internal CancellationToken IterationToken => _cancellation.Token;

    /// <summary>Set by a ramp-down: finish the running iteration, start no other.</summary>
    internal bool Retired { get; private set; }

    internal TimeSpan ThinkTime => _lastScenario?.ThinkTime ?? TimeSpan.Zero;

    internal void Log(string message) => _run.Log(message);

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

    /// <summary>Smooth weighted round robin: over any window of sum(weights) picks, each scenario runs exactly its weight.</summary>
    private Scenario NextScenario()
    {
        var scenarios = _run.Scenarios;
        if (scenarios.Count == 1)
            return _lastScenario = scenarios[0];
        var best = 0;
        for (var i = 0; i < scenarios.Count; i++)
        {
            _currentWeights[i] += scenarios[i].Weight;
            if (_currentWeights[i] > _currentWeights[best])
                best = i;
        }

        _currentWeights[best] -= _run.TotalWeight;
        return _lastScenario = scenarios[best];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Context.Http.Dispose();
        _cancellation.Dispose();
    }
}
