using HdrHistogram;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>
/// Request metrics of one scenario or step: latency (from the intended start) and service time (from the actual send)
/// in thread-safe HDR recorders, and counters. Recording is lock-free; <see cref="Collect"/> runs once a second.
/// </summary>
public sealed class OperationMetrics
{
    private readonly IntervalRecorder _latency = new();
    private readonly IntervalRecorder _serviceTime = new();
    private readonly long[] _failures = new long[Enum.GetValues<FailureKind>().Length];
    private long _requests;
    private long _bytesSent;
    private long _bytesReceived;

    /// <summary>Creates metrics for a scenario (step null) or one of its steps.</summary>
    public OperationMetrics(string scenario, string? step)
    {
        Scenario = scenario;
        Step = step;
    }

    /// <summary>The scenario.</summary>
    public string Scenario { get; }

    /// <summary>The step, or null for the whole scenario.</summary>
    public string? Step { get; }

    /// <summary>Everything recorded so far (updated by <see cref="Collect"/>).</summary>
    public HistogramBase Latency => _latency.Total;

    /// <summary>Everything recorded so far (updated by <see cref="Collect"/>).</summary>
    public HistogramBase ServiceTime => _serviceTime.Total;

    /// <summary>Requests completed (with or without success).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests that failed, of any kind.</summary>
    public long Failed => _failures.Sum();

    /// <summary>Failures of one kind.</summary>
    public long Failures(FailureKind kind) => Interlocked.Read(ref _failures[(int)kind]);

    /// <summary>Bytes sent.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes received.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Records one request.</summary>
    public void Record(long latencyMicroseconds, long serviceMicroseconds, FailureKind? failure, long bytesSent, long bytesReceived)
    {
        _latency.Record(latencyMicroseconds);
        _serviceTime.Record(serviceMicroseconds);
        Interlocked.Increment(ref _requests);
        if (failure is { } kind)
            Interlocked.Increment(ref _failures[(int)kind]);
        if (bytesSent != 0)
            Interlocked.Add(ref _bytesSent, bytesSent);
        if (bytesReceived != 0)
            Interlocked.Add(ref _bytesReceived, bytesReceived);
    }

    /// <summary>Takes the interval's histograms, adds them to the totals, and returns them (valid until the next call).</summary>
    public (HistogramBase Latency, HistogramBase ServiceTime) Collect() => (_latency.Collect(), _serviceTime.Collect());
}
