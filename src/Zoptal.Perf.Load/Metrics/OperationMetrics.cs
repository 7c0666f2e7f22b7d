using HdrHistogram;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>
/// Request metrics of one scenario or step: latency (from the intended start), latency corrected for coordinated
/// omission (closed models; the same as latency in open ones) and service time (from the actual send) as trends, and
/// counters. Recording is lock-free; <see cref="Collect"/> runs once a second.
/// </summary>
public sealed class OperationMetrics
{
    private readonly TrendRecorder _latency = new();
    private readonly TrendRecorder _latencyCorrected = new();
    private readonly TrendRecorder _serviceTime = new();
    private readonly long[] _failures = new long[Enum.GetValues<FailureKind>().Length];
    private long _requests;
    private long _retries;
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

    /// <summary>Latency from the intended start.</summary>
    public TrendRecorder Latency => _latency;

    /// <summary>Latency with the requests a closed-model stall kept from being sent (HdrHistogram's expected-interval correction).</summary>
    public TrendRecorder LatencyCorrected => _latencyCorrected;

    /// <summary>Service time, from the actual send.</summary>
    public TrendRecorder ServiceTime => _serviceTime;

    /// <summary>Requests completed (with or without success).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests that failed, of any kind.</summary>
    public long Failed => _failures.Sum();

    /// <summary>Failures of one kind.</summary>
    public long Failures(FailureKind kind) => Interlocked.Read(ref _failures[(int)kind]);

    /// <summary>Times a request was sent again automatically (a reused connection found closed; see docs/configuration.md).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Bytes sent.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes received.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>
    /// Records one request. <paramref name="expectedIntervalMicroseconds"/> is the sender's usual pacing (a closed-model
    /// VU's start-to-start interval), 0 when the latency needs no correction (open models measure from the schedule).
    /// </summary>
    public void Record(long latencyMicroseconds, long serviceMicroseconds, long expectedIntervalMicroseconds, FailureKind? failure,
        long bytesSent, long bytesReceived, int retries = 0)
    {
        _latency.Record(latencyMicroseconds);
        _latencyCorrected.RecordCorrected(latencyMicroseconds, expectedIntervalMicroseconds);
        _serviceTime.Record(serviceMicroseconds);
        Interlocked.Increment(ref _requests);
        if (failure is { } kind)
            Interlocked.Increment(ref _failures[(int)kind]);
        if (retries != 0)
            Interlocked.Add(ref _retries, retries);
        if (bytesSent != 0)
            Interlocked.Add(ref _bytesSent, bytesSent);
        if (bytesReceived != 0)
            Interlocked.Add(ref _bytesReceived, bytesReceived);
    }

    /// <summary>Takes the interval's histograms, adds them to the totals, and returns them (valid until the next call).</summary>
    public (HistogramBase Latency, HistogramBase LatencyCorrected, HistogramBase ServiceTime) Collect() =>
        (_latency.Collect(), _latencyCorrected.Collect(), _serviceTime.Collect());
}
