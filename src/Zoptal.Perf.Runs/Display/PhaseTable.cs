using Zoptal.Perf.Load;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Runs.Display;

/// <summary>
/// The table at the end of a phase: per service and scenario, with grades. p95 and p99 are the latency as measured;
/// "p99 corr" the corrected one (closed models: with the requests a stall kept from being sent; open models: the
/// same); "dropped" the iterations that never started, next to the percentiles they make unreliable.
/// </summary>
public static class PhaseTable
{
    public static IEnumerable<string> Lines(string phase, IReadOnlyList<ServiceSummary> services)
    {
        var header = new[] { "service / scenario", "requests", "req/s", "errors", "avg ms", "p95 ms", "p99 ms", "p99 corr ms", "dropped", "grade" };
        var rows = new List<string[]>();
        var notes = new List<string>();
        foreach (var s in services)
        {
            rows.Add(Row(s.Name + (s.Aborted ? " (aborted)" : string.Empty), s.Metrics, s.Grades));
            rows.AddRange(s.Scenarios.Select(c => Row("  " + c.Name, c.Metrics, c.Grades)));
            notes.AddRange(s.Grades.Where(g => g.Note is not null).Select(g => $"{s.Name}: {g.Note}"));
            if (s.Metrics.Retries > 0)
                notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{s.Name}: {s.Metrics.Retries:N0} requests were sent again automatically (a reused connection closed before answering; only idempotent ones, or ones not yet written)"));
        }

        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Format(string[] cells) => string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i])));
        yield return $"{phase} phase summary";
        yield return Format(header);
        yield return string.Join("  ", widths.Select(w => new string('-', w)));
        foreach (var row in rows)
            yield return Format(row);
        foreach (var note in notes)
            yield return note;
    }

    private static string[] Row(string name, MetricSet m, IReadOnlyList<GradedMetric> grades) =>
    [
        name,
        m.Requests.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
        m.RequestsPerSecond.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        m.ErrorRatePercent.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "%",
        m.Latency.Mean.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        m.Latency.P95.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        m.Latency.P99.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        (m.LatencyCorrected ?? m.Latency).P99.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        Dropped(m),
        Worst(grades),
    ];

    /// <summary><c>0</c>, or <c>235 (4.7%)</c>.</summary>
    public static string Dropped(MetricSet m) => m.DroppedIterations == 0 ? "0"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{m.DroppedIterations:N0} ({m.DroppedPercent:0.#}%)");

    // The worst grade, and which metrics earned it: "warning (p95, req/s)".
    private static string Worst(IReadOnlyList<GradedMetric> grades)
    {
        if (grades.Count == 0)
            return "-";
        var worst = grades.Max(g => g.Grade);
        var label = worst.ToString().ToLowerInvariant();
        if (worst == Core.Configuration.Grade.Good)
            return label;
        return $"{label} ({string.Join(", ", grades.Where(g => g.Grade == worst).Select(g => Short(g.Metric)))})";
    }

    private static string Short(string metric) => metric switch
    {
        "responseTimeAvg" => "avg",
        "responseTimeP95" => "p95",
        "responseTimeP99" => "p99",
        "requestsPerSecond" => "req/s",
        "errorRate" => "errors",
        MetricSet.DroppedKey => "dropped: latency not measurable",
        _ => metric,
    };
}
