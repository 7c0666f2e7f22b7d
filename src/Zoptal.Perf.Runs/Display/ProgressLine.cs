using Zoptal.Perf.Load;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Runs.Display;

/// <summary>The per-second progress line.</summary>
public static class ProgressLine
{
    public static string Format(string phase, string service, RunProgress p, TimeSpan planned)
    {
        var errorRate = p.Requests > 0 ? 100.0 * p.Errors / p.Requests : 0;
        var remaining = planned - p.Elapsed;
        return FormattableString.Invariant(
            $"{phase,-6} {service,-13} {p.Elapsed.TotalSeconds,5:0}s  left {Math.Max(0, remaining.TotalSeconds),4:0}s  vus {p.Vus,4}  {p.RequestsPerSecond,8:0.0} req/s  errors {errorRate,5:0.0}%  p95 {p.LatencyP95,8:0.0} ms")
            + (p.Dropped > 0 ? FormattableString.Invariant($"  dropped {p.Dropped:N0}") : string.Empty);
    }
}
