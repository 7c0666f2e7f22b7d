using System.Collections.Concurrent;
using HdrHistogram;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>Counts of one named check.</summary>
public sealed class CheckCounter
{
    private long _passed;
    private long _failed;

    /// <summary>Times the check held.</summary>
    public long Passed => Interlocked.Read(ref _passed);

    /// <summary>Times it did not.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void Record(bool passed)
    {
        if (passed)
            Interlocked.Increment(ref _passed);
        else
            Interlocked.Increment(ref _failed);
    }
}

/// <summary>Everything measured for one scenario: its requests, its steps, iterations, checks, schedule lag, drops.</summary>
public sealed class ScenarioMetrics
{
    private readonly ConcurrentDictionary<string, OperationMetrics> _steps = new();
    private readonly TrendRecorder _iterationDuration = new();
    private readonly TrendRecorder _scheduleLag = new();
    private long _iterations;
    private long _failedIterations;
    private long _interruptedIterations;
    private long _dropped;

    /// <summary>Whether a status is a success (the scenario's expected statuses); everything below 400 by default.</summary>
    internal Func<int, bool> IsExpected { get; init; } = static status => status is > 0 and < 400;

    /// <summary>Creates the metrics of a scenario.</summary>
    public ScenarioMetrics(string name)
    {
        Name = name;
        Requests = new OperationMetrics(name, null);
    }

    /// <summary>The scenario's name.</summary>
    public string Name { get; }

    /// <summary>All of the scenario's requests.</summary>
    public OperationMetrics Requests { get; }

    /// <summary>Requests by named step.</summary>
    public IReadOnlyDictionary<string, OperationMetrics> Steps => _steps;

    /// <summary>Checks by name.</summary>
    public ConcurrentDictionary<string, CheckCounter> Checks { get; } = new();

    /// <summary>Iteration durations.</summary>
    public TrendRecorder IterationDuration => _iterationDuration;

    /// <summary>How late open-model iterations started against their schedule (a wait in the backlog included).</summary>
    public TrendRecorder ScheduleLag => _scheduleLag;

    /// <summary>Iterations that completed (whatever their requests returned).</summary>
    public long Iterations => Interlocked.Read(ref _iterations);

    /// <summary>Iterations that threw.</summary>
    public long FailedIterations => Interlocked.Read(ref _failedIterations);

    /// <summary>Iterations cut short by the end of the run or Ctrl+C.</summary>
    public long InterruptedIterations => Interlocked.Read(ref _interruptedIterations);

    /// <summary>Arrival-rate iterations never started: no VU was free and the backlog was full (or <c>onSaturation: drop</c>), or the run ended first.</summary>
    public long DroppedIterations => Interlocked.Read(ref _dropped);

    /// <summary>The metrics of a step, created on first use.</summary>
    public OperationMetrics Step(string name) => _steps.GetOrAdd(name, n => new OperationMetrics(Name, n));

    internal void RecordIteration(long microseconds, bool failed)
    {
        _iterationDuration.Record(microseconds);
        Interlocked.Increment(ref _iterations);
        if (failed)
            Interlocked.Increment(ref _failedIterations);
    }

    internal void RecordInterrupted() => Interlocked.Increment(ref _interruptedIterations);

    internal void RecordScheduleLag(long microseconds) => _scheduleLag.Record(microseconds);

    internal void RecordDropped(long count = 1) => Interlocked.Add(ref _dropped, count);

    internal void RecordCheck(string name, bool passed) => Checks.GetOrAdd(name, _ => new CheckCounter()).Record(passed);

    internal (HistogramBase IterationDuration, HistogramBase ScheduleLag) Collect() => (_iterationDuration.Collect(), _scheduleLag.Collect());
}
