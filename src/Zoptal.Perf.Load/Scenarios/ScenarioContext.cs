using Zoptal.Perf.Load.Execution;
using Zoptal.Perf.Load.Metrics;

namespace Zoptal.Perf.Load.Scenarios;

/// <summary>
/// What an iteration sees: the VU's HTTP client (measured), its id and iteration, its own state, a log,
/// cancellation, checks and steps. One context per VU, reused across iterations.
/// </summary>
public sealed class ScenarioContext
{
    private readonly VirtualUser _vu;

    internal ScenarioContext(VirtualUser vu, HttpClient http)
    {
        _vu = vu;
        Http = http;
    }

    /// <summary>
    /// The VU's HTTP client; relative URLs resolve against the service's base URL. Failures never throw: they come
    /// back as status 0. Its requests stop with the run by themselves: passing <see cref="Cancellation"/> is not
    /// needed (and makes HttpClient allocate a token source per request).
    /// </summary>
    public HttpClient Http { get; }

    /// <summary>The VU's number, from 1.</summary>
    public int VuId => _vu.Id;

    /// <summary>The VU's iteration, from 0.</summary>
    public long Iteration { get; internal set; }

    /// <summary>The scenario running now.</summary>
    public string ScenarioName => Metrics.Name;

    /// <summary>State kept by this VU across iterations (a login token, a created id).</summary>
    public Dictionary<string, object?> State { get; } = [];

    /// <summary>Fires when the iteration must stop (end of the graceful stop, Ctrl+C).</summary>
    public CancellationToken Cancellation { get; internal set; }

    /// <summary>Writes to the run's log, prefixed with the scenario and VU.</summary>
    public void Log(string message) => _vu.Log($"[{ScenarioName} vu{VuId}] {message}");

    /// <summary>A k6 check: counted and reported, it never fails the request or the iteration. Returns <paramref name="condition"/>.</summary>
    public bool Check(string name, bool condition)
    {
        Metrics.RecordCheck(name, condition);
        return condition;
    }

    /// <summary>Runs a named step; its requests get their own metrics besides the scenario's.</summary>
    public async Task Step(string name, Func<Task> step)
    {
        var previous = CurrentStep;
        CurrentStep = Metrics.Step(name);
        try
        {
            await step();
        }
        finally
        {
            CurrentStep = previous;
        }
    }

    /// <summary>Runs a named step that returns a value.</summary>
    public async Task<T> Step<T>(string name, Func<Task<T>> step)
    {
        var previous = CurrentStep;
        CurrentStep = Metrics.Step(name);
        try
        {
            return await step();
        }
        finally
        {
            CurrentStep = previous;
        }
    }

    internal ScenarioMetrics Metrics { get; set; } = null!;

    internal OperationMetrics? CurrentStep { get; set; }

    /// <summary>When the iteration was meant to start (open model), as a TimeProvider timestamp.</summary>
    internal long IntendedStart { get; set; }

    /// <summary>When it did start.</summary>
    internal long ActualStart { get; set; }

    /// <summary>A closed-model VU's usual start-to-start interval (µs) for the corrected latency; 0 in open models or while unknown.</summary>
    internal long ExpectedIntervalMicroseconds { get; set; }
}
