using RazorLight;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>What the HTML template shows: the report's model and its charts, drawn before the template runs.</summary>
public sealed class HtmlView(ReportModel model)
{
    public ReportModel Model { get; } = model;

    /// <summary>Per phase: requests/s, error rate and the percentile distribution, then latency over time per service.</summary>
    public IReadOnlyList<(PhaseSummary Phase, string Requests, string Errors, string Distribution, IReadOnlyList<(string Service, string Svg)> Percentiles)> PhaseCharts { get; } =
        [.. model.Run.Phases.Select(phase => (phase, Charts.RequestsPerSecond(model.Series, phase), Charts.ErrorRate(model.Series, phase), Charts.PercentileDistribution(phase),
            (IReadOnlyList<(string, string)>)[.. phase.Services.Select(s => (s.Name, Charts.Percentiles(model.Series, phase, s.Name)))]))];

    /// <summary>The load phase's p95 per service against the baseline's; null without a baseline.</summary>
    public string? AgainstBaseline { get; } = model.Baseline is { Exists: true } && model.Run.Phases.FirstOrDefault(p => p.Name == PhaseSummary.Load) is { } load
        ? Charts.AgainstBaseline(load, service => model.BaselineValue(service, m => m.Latency.P95))
        : null;

    /// <summary>p95 and requests/s per service over the base branch's recent runs; null without history.</summary>
    public (string P95, string RequestsPerSecond)? Trends { get; } = model.Trend.Count == 0 ? null
        : (Charts.Trend(model.Trend, model.Run, "p95 latency per service", "ms", m => m.Latency.P95),
           Charts.Trend(model.Trend, model.Run, "requests per second per service", "req/s", m => m.RequestsPerSecond));

    /// <summary>CPU and memory of the watched processes and containers over time; null when none was watched.</summary>
    public (string Cpu, string Memory)? ResourceCharts { get; } = model.Run.Resources.Count == 0 ? null
        : (Charts.Resources(model.Run.Resources, "CPU (share of its limit; all cores for a process)", "%", s => s.CpuPercent),
           Charts.Resources(model.Run.Resources, "resident memory", "MB", s => s.MemoryBytes / 1048576.0));

    /// <summary>The CSS class of a finding's severity.</summary>
    public static string SeverityClass(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.Warning => "warning",
        _ => "neutral",
    };

    /// <summary>The CSS class of a grade.</summary>
    public static string GradeClass(Grade grade) => grade.ToString().ToLowerInvariant();

    /// <summary>The worst grade of a list, or null.</summary>
    public static Grade? Worst(IReadOnlyList<GradedMetric> grades) => grades.Count == 0 ? null : grades.Max(g => g.Grade);

    /// <summary>The CSS class of a verdict.</summary>
    public static string VerdictClass(Verdict verdict) => verdict switch
    {
        Verdict.Slower => "critical",
        Verdict.Faster => "good",
        _ => "neutral",
    };

    /// <summary>A number as the report prints it.</summary>
    public static string N(double value, string format = "0.0") => double.IsFinite(value) ? Charts.Format(value, format) : "–";
}

/// <summary>
/// One self-contained HTML file (opens offline: no external scripts, fonts or images): the verdict, the run's
/// metadata and baseline, graded tables with the regression verdicts, and the charts as inline SVG. The layout is a
/// Razor template embedded in the assembly (<c>Templates/Report.cshtml</c>), rendered by RazorLight; Razor encodes
/// every value it writes, so names and messages from the run stay text.
/// </summary>
public sealed class HtmlRenderer : IReportRenderer
{
    private static readonly Lazy<RazorLightEngine> Engine = new(() => new RazorLightEngineBuilder()
        .UseEmbeddedResourcesProject(typeof(HtmlRenderer).Assembly, "Zoptal.Perf.Reporting.Templates")
        .SetOperatingAssembly(typeof(HtmlRenderer).Assembly)
        .UseMemoryCachingProvider()
        .Build());

    public static HtmlRenderer Default { get; } = new();

    public string FileName(ReportModel model) => $"performance_report_{model.Stamp}.html";

    public void Render(ReportModel model, TextWriter writer) =>
        writer.Write(Engine.Value.CompileRenderAsync("Report", new HtmlView(model)).GetAwaiter().GetResult());
}
