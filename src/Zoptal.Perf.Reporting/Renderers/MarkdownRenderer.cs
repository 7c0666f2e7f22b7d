using System.Globalization;
using System.Text;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>
/// Compact Markdown for the pull request comment and <c>$GITHUB_STEP_SUMMARY</c>: the verdict line, the baseline,
/// a table per service of the load phase (metric, value, baseline, change, grade, and the regression verdict), one
/// table for the stress phase, and the reasons the gate failed. Everything that
/// comes from the run (names, messages) is escaped, so a service called <c>&lt;script&gt;</c> stays text.
/// </summary>
public sealed class MarkdownRenderer : IReportRenderer
{
    public static MarkdownRenderer Default { get; } = new();

    public string FileName(ReportModel model) => $"performance_report_{model.Stamp}.md";

    public void Render(ReportModel model, TextWriter writer)
    {
        var run = model.Run;
        var gate = model.Gate;
        writer.WriteLine(gate.Passed
            ? $"## ✅ Performance gate passed (fail on {Policy(gate.Policy)})"
            : $"## ❌ Performance gate failed (fail on {Policy(gate.Policy)})");
        writer.WriteLine();
        var commit = run.Git.Commit is { Length: >= 7 } c ? $" · commit `{Escape(c[..7])}`" : string.Empty;
        var branch = run.Git.Branch is { } b ? $" on `{Escape(b)}`" : string.Empty;
        writer.WriteLine($"Run `{Escape(run.RunId)}` ({Escape(run.Target)}){commit}{branch} · {run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"
                         + (run.Aborted ? $" · **aborted**: {Escape(run.AbortReason ?? "")}" : string.Empty));
        writer.WriteLine();
        writer.WriteLine(model.Baseline is null ? "Baseline: none (no history consulted)" : $"Baseline: {Escape(model.Baseline.Description)}");
        if (model.OptimizationReport is { } optimization)
            writer.WriteLine($"Optimization report: `performance-results/{Escape(optimization)}` (./build.sh Optimize)");
        foreach (var phase in run.Phases)
        {
            writer.WriteLine();
            writer.WriteLine(FormattableString.Invariant($"### {Escape(phase.Name)} phase: {Escape(phase.LoadLabel)}, {phase.DurationSeconds:0} s"));
            if (phase.ThroughputNote is { } note)
            {
                writer.WriteLine();
                writer.WriteLine($"_{Escape(note)}_");
            }

            if (phase.Name == PhaseSummary.Load)
            {
                foreach (var service in phase.Services)
                    ServiceTable(model, service, writer);
                continue;
            }

            writer.WriteLine();
            writer.WriteLine("| service | requests | req/s | errors | avg ms | p95 ms | p99 ms | p99 corrected ms | dropped | grade |");
            writer.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var service in phase.Services)
            {
                var m = service.Metrics;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Escape(service.Name)} | {m.Requests:#,0} | {m.RequestsPerSecond:0.0} | {m.ErrorRatePercent:0.00}% | {m.Latency.Mean:0.0} | {m.Latency.P95:0.0} | {m.Latency.P99:0.0} | {(m.LatencyCorrected ?? m.Latency).P99:0.0} | {Dropped(m)} | {GradeText(service.Grades)} |"));
            }
        }

        Resources(run, writer);
        Database(run, writer);

        if (gate.Reasons.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine(gate.Passed ? "#### Findings (the policy does not fail on them)" : "#### Why the gate failed");
            foreach (var reason in gate.Reasons)
                writer.WriteLine($"- {Escape(reason)}");
        }

        if (gate.Notes.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("#### Notes");
            foreach (var note in gate.Notes)
                writer.WriteLine($"- {Escape(note)}");
        }
    }

    // The graded rows show the latency the grades use (model.GradedLatency: corrected by default), as the grade beside them.
    private static (string Key, string Title, string Format, Func<MetricSet, double> Value)[] Rows(GradedLatency graded)
    {
        var which = graded == GradedLatency.Corrected ? " (corrected)" : string.Empty;
        return
        [
            ("requestsPerSecond", "req/s", "0.0", m => m.RequestsPerSecond),
            ("errorRate", "error rate %", "0.00", m => m.ErrorRatePercent),
            ("responseTimeAvg", "avg ms" + which, "0.0", m => m.LatencyForGrades(graded).Mean),
            ("responseTimeP95", "p95 ms" + which, "0.0", m => m.LatencyForGrades(graded).P95),
            ("responseTimeP99", "p99 ms" + which, "0.0", m => m.LatencyForGrades(graded).P99),
        ];
    }

    /// <summary><c>0</c>, or <c>235 (4.7%)</c>.</summary>
    private static string Dropped(MetricSet m) => m.DroppedIterations == 0 ? "0"
        : string.Create(CultureInfo.InvariantCulture, $"{m.DroppedIterations:#,0} ({m.DroppedPercent:0.#}%)");

    // A service of the gated phase: each graded metric against the baseline's median, then the regression verdict.
    private static void ServiceTable(ReportModel model, ServiceSummary service, TextWriter writer)
    {
        writer.WriteLine();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"**{Escape(service.Name)}** · {service.Metrics.Requests:#,0} requests"));
        writer.WriteLine();
        writer.WriteLine("| metric | value | baseline | change | grade |");
        writer.WriteLine("|---|---:|---:|---:|---|");
        foreach (var (key, title, format, value) in Rows(model.GradedLatency))
        {
            var current = value(service.Metrics);
            var baseline = model.BaselineValue(service.Name, value);
            var change = baseline is > 0 ? ((current - baseline.Value) / baseline.Value * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "–";
            var grade = service.Grades.FirstOrDefault(g => g.Metric == key);
            writer.WriteLine($"| {title} | {current.ToString(format, CultureInfo.InvariantCulture)} | {baseline?.ToString(format, CultureInfo.InvariantCulture) ?? "–"} | {change} | {(grade is null ? "–" : GradeText([grade]))} |");
        }

        // The measured figure beside the corrected one, and the iterations that never started next to the percentiles.
        var m = service.Metrics;
        if (model.GradedLatency == GradedLatency.Corrected)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| p95 / p99 ms (measured) | {m.Latency.P95:0.0} / {m.Latency.P99:0.0} | – | – | – |"));
        var dropped = service.Grades.FirstOrDefault(g => g.Metric == MetricSet.DroppedKey);
        writer.WriteLine($"| dropped iterations | {Dropped(m)} | – | – | {(dropped is null ? "–" : GradeText([dropped]))} |");
        if (dropped?.Note is { } note)
            writer.WriteLine($"| ⚠ | {Escape(note)} | | | |");

        if (model.RegressionOf(service.Name) is { } regression)
            writer.WriteLine($"| p95 per second (median; the verdict's statistic) | {Median(regression.CurrentMedian)} | {Median(regression.BaselineMedian)} | {VerdictText(regression)} | {Escape(regression.Verdict == Verdict.Unknown ? regression.Method : regression.Evidence + "; " + regression.Method)} |");
        var changed = model.Regressions.Where(r => r.Service == service.Name && r.Scenario is not null && r.Verdict is Verdict.Slower or Verdict.Faster).ToList();
        if (changed.Count > 0)
            writer.WriteLine();
        foreach (var scenario in changed)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- scenario {Escape(scenario.Scenario!)}: {VerdictText(scenario)} (p95 per second {scenario.CurrentMedian:0.0} ms against {scenario.BaselineMedian:0.0} ms)"));
    }

    private static void Resources(RunSummary run, TextWriter writer)
    {
        if (run.Resources.Count == 0)
            return;
        writer.WriteLine();
        writer.WriteLine("### Resources");
        writer.WriteLine();
        writer.WriteLine("| phase | resource | CPU mean | CPU max | memory max | grade |");
        writer.WriteLine("|---|---|---:|---:|---:|---|");
        foreach (var watched in run.Resources)
        {
            var r = watched.Resource;
            writer.WriteLine(r.Problem is not null
                ? $"| {Escape(watched.Phase)} | {Escape(r.Name)} | – | – | – | {Escape(r.Problem)} |"
                : string.Create(CultureInfo.InvariantCulture,
                    $"| {Escape(watched.Phase)} | {Escape(r.Name)} | {r.CpuMeanPercent:0.0}% | {r.CpuMaxPercent:0.0}% | {r.MemoryMaxBytes / 1048576.0:0.#} MB ({r.MemoryMaxPercent:0.0}%) | {GradeText(watched.Grades)} |"));
        }
    }

    private static void Database(RunSummary run, TextWriter writer)
    {
        if (run.Database is not { } db)
            return;
        writer.WriteLine();
        var reset = db.StatsReset is { } r ? $", statistics reset {r.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" : "";
        writer.WriteLine($"### Database: {Escape(db.Server)} (PostgreSQL {Escape(db.Version)}{reset})");
        writer.WriteLine();
        var shown = db.Findings.Where(f => f.Severity >= Severity.Warning).ToList();
        if (shown.Count > 0)
        {
            writer.WriteLine("| finding | query | fix |");
            writer.WriteLine("|---|---|---|");
            foreach (var f in shown)
            {
                var icon = f.Severity == Severity.Critical ? "🔴" : "🟡";
                writer.WriteLine($"| {icon} {Escape(f.Title)} | {(f.Query is { } q ? Escape(Shorten(q)) : "–")} | {(f.Suggestion is { } fix ? Escape(fix) : "–")} |");
            }
        }

        var notes = db.Findings.Count - shown.Count;
        writer.WriteLine(shown.Count == 0 ? $"No problems found; {notes} notes in the HTML report." : $"{notes} more {(notes == 1 ? "note" : "notes")} (vacuum, analyze, young statistics) in the HTML report.");
    }

    private static string Shorten(string query)
    {
        var flat = string.Join(' ', query.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 100 ? flat : flat[..97] + "...";
    }

    private static string Median(double value) => double.IsNaN(value) ? "–" : value.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary><c>🔴 Slower +23.1%</c>, <c>Same (-1.2%)</c>, <c>❔ Inconclusive (+12.0%)</c>, <c>Unknown</c>.</summary>
    public static string VerdictText(RegressionResult result) => result.Verdict switch
    {
        Verdict.Unknown => "Unknown",
        Verdict.Inconclusive => $"❔ Inconclusive ({result.EffectPercent.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)}%)",
        Verdict.Slower => $"🔴 Slower {result.EffectPercent.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)}%",
        Verdict.Faster => $"🟢 Faster {result.EffectPercent.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)}%",
        _ => $"Same ({result.EffectPercent.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)}%)",
    };

    private static string Policy(GateFailOn policy) => policy.ToString().ToLowerInvariant();

    private static string GradeText(IReadOnlyList<GradedMetric> grades)
    {
        if (grades.Count == 0)
            return "–";
        var worst = grades.Max(g => g.Grade);
        var icon = worst switch { Grade.Good => "🟢", Grade.Warning => "🟡", _ => "🔴" };
        return $"{icon} {worst.ToString().ToLowerInvariant()}";
    }

    /// <summary>Text from the run as Markdown that renders as the same text: no HTML, no table breaks, no formatting.</summary>
    public static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            builder.Append(ch switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '|' => "\\|",
                '\\' or '`' or '*' or '_' or '[' or ']' or '#' or '~' => "\\" + ch,
                '\r' or '\n' => " ",
                _ => ch.ToString(),
            });
        }

        return builder.ToString();
    }
}
