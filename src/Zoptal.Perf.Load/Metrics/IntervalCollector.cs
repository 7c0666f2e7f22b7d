using HdrHistogram;
using Zoptal.Perf.Load.Execution;
using Zoptal.Perf.Load.Thresholds;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>
/// Reads a run's recorders out once an interval (a second, and the shorter last one): a row per scenario and a total
/// row of timeseries data, each scenario's interval histograms into its HDR log, the generator's own CPU and memory,
/// and k6's vus gauge; and says what the second measured for the progress display.
/// </summary>
internal sealed class IntervalCollector(RunState run, TimeProvider time, DateTimeOffset start, Dictionary<string, HdrLogWriter>? logs)
{
    private readonly HistogramBase _latency = Histograms.Create();
    private readonly HistogramBase _corrected = Histograms.Create();
    private readonly HistogramBase _service = Histograms.Create();
    private readonly GeneratorSampler _sampler = new(time);
    private readonly Dictionary<string, (long Requests, long Errors, long Iterations, long Dropped)> _previous =
        run.Metrics.Values.ToDictionary(m => m.Name, _ => (0L, 0L, 0L, 0L));

    /// <summary>Each scenario's intervals.</summary>
    public List<IntervalSample> Intervals { get; } = [];

    /// <summary>Each interval over all scenarios.</summary>
    public List<IntervalSample> Totals { get; } = [];

    /// <summary>The generator's samples, one a second.</summary>
    public List<GeneratorSample> Generator { get; } = [];

    /// <summary>When the run's clock started: intervals are timed from it.</summary>
    public DateTimeOffset Start { get; } = start;

    /// <summary>The end of the last interval read.</summary>
    public DateTimeOffset LastCollect { get; private set; } = start;

    /// <summary>k6's vus gauge: its last sample while the run went on, and its maximum.</summary>
    public VuGauge Vus { get; private set; } = new(0, 0);

    /// <summary>Reads the interval since the last call; the progress of a full second, or null for the final one.</summary>
    public RunProgress? Collect(bool final)
    {
        var now = time.GetUtcNow();
        var elapsed = now - Start;
        var length = now - LastCollect;
        var second = new List<IntervalSample>();
        _latency.Reset();
        _corrected.Reset();
        _service.Reset();
        // k6's vus gauge is sampled while the run goes on; a threshold reads its last sample, not the 0 after the end
        // nor the VUs finishing their last iterations once the executor has begun to stop (graceful stop).
        var active = run.ActiveVus;
        if (!final && !run.StopStarting)
            Vus = new VuGauge(active, Math.Max(Vus.Max, active));
        foreach (var metrics in run.Metrics.Values)
        {
            var (latency, corrected, service) = metrics.Requests.Collect();
            _latency.Add(latency);
            _corrected.Add(corrected);
            _service.Add(service);
            var (iteration, lag) = metrics.Collect();
            var steps = metrics.Steps.Values.Select(s => (s.Step!, s.Collect())).ToList();
            if (logs?.GetValueOrDefault(metrics.Name) is { } log)
            {
                log.Append(latency, LastCollect, now, "latency");
                log.Append(corrected, LastCollect, now, "latency_corrected");
                log.Append(service, LastCollect, now, "service_time");
                log.Append(iteration, LastCollect, now, "iteration_duration");
                log.Append(lag, LastCollect, now, "schedule_lag");
                foreach (var (step, (stepLatency, _, stepService)) in steps)
                {
                    log.Append(stepLatency, LastCollect, now, $"{step}/latency");
                    log.Append(stepService, LastCollect, now, $"{step}/service_time");
                }
            }

            var before = _previous[metrics.Name];
            var current = (Requests: metrics.Requests.Requests, Errors: metrics.Requests.Failed, metrics.Iterations, Dropped: metrics.DroppedIterations);
            _previous[metrics.Name] = current;
            second.Add(new IntervalSample(elapsed, length, metrics.Name, current.Requests - before.Requests, current.Errors - before.Errors,
                current.Iterations - before.Iterations, current.Dropped - before.Dropped, active,
                Ms(latency, 50), Ms(latency, 95), Ms(latency, 99), Ms(corrected, 99), Ms(service, 99), Ms(lag, 99)));
        }

        LastCollect = now;
        // The last, shorter interval is kept when it holds anything, so the rows add up to the totals.
        if (final && (length < TimeSpan.FromMilliseconds(1) || second.All(s => s.Requests == 0 && s.Iterations == 0 && s.Dropped == 0)))
            return null;
        Intervals.AddRange(second);
        Totals.Add(new IntervalSample(elapsed, length, string.Empty, second.Sum(s => s.Requests), second.Sum(s => s.Errors), second.Sum(s => s.Iterations),
            second.Sum(s => s.Dropped), active, Ms(_latency, 50), Ms(_latency, 95), Ms(_latency, 99), Ms(_corrected, 99),
            Ms(_service, 99), second.Count == 0 ? 0 : second.Max(s => s.ScheduleLagP99)));
        if (final)
            return null;
        Generator.Add(_sampler.Sample(elapsed));
        var requests = second.Sum(s => s.Requests);
        return new RunProgress(elapsed, active, run.Metrics.Values.Sum(m => m.Requests.Requests),
            run.Metrics.Values.Sum(m => m.Requests.Failed), run.Metrics.Values.Sum(m => m.DroppedIterations),
            length > TimeSpan.Zero ? requests / length.TotalSeconds : 0, second.Count == 0 ? 0 : second.Max(s => s.LatencyP95), second);
    }

    /// <summary>Closes the HDR logs.</summary>
    public void CloseLogs()
    {
        foreach (var log in logs?.Values.ToList() ?? [])
            log.Dispose();
    }

    private static double Ms(HistogramBase histogram, double percentile) => Histograms.ValueAtPercentile(histogram, percentile) / 1000.0;
}
