using System.Globalization;
using System.Text;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Runs.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>
/// Compact Markdown for the pull request comment and <c>$GITHUB_STEP_SUMMARY</c>: the verdict line, a table per
/// phase (service, requests, req/s, errors, avg, p95, p99, grade), and the reasons the gate failed. Everything that
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
        foreach (var phase in run.Phases)
        {
            writer.WriteLine();
            writer.WriteLine(FormattableString.Invariant($"### {Escape(phase.Name)} phase: {phase.Vus} VUs, {phase.DurationSeconds:0} s"));
            writer.WriteLine();
            writer.WriteLine("| service | requests | req/s | errors | avg ms | p95 ms | p99 ms | grade |");
            writer.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
            foreach (var service in phase.Services)
            {
                var m = service.Metrics;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Escape(service.Name)} | {m.Requests:#,0} | {m.RequestsPerSecond:0.0} | {m.ErrorRatePercent:0.00}% | {m.Latency.Mean:0.0} | {m.Latency.P95:0.0} | {m.Latency.P99:0.0} | {GradeText(service.Grades)} |"));
            }
        }

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
