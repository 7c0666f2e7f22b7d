using HdrHistogram;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>
/// A thread-safe HDR recorder with its running total: writers record lock-free; the once-a-second collector swaps
/// out the interval histogram, adds it to <see cref="Total"/>, and gets it back (valid until the next collection).
/// </summary>
public sealed class IntervalRecorder
{
    private readonly Recorder _recorder = Histograms.CreateRecorder();
    private HistogramBase? _interval;

    /// <summary>Everything collected so far (read only by the collector's thread, or after the run).</summary>
    public HistogramBase Total { get; } = Histograms.Create();

    /// <summary>Records microseconds, clamped into the trackable range.</summary>
    public void Record(long microseconds) => _recorder.RecordMicroseconds(microseconds);

    /// <summary>Takes the interval's histogram and adds it to the total.</summary>
    public HistogramBase Collect()
    {
        _interval = _recorder.GetIntervalHistogram(_interval);
        Total.Add(_interval);
        return _interval;
    }
}
