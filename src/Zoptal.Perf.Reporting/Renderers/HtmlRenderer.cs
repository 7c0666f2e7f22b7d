using RazorLight;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>
/// What the HTML template shows: the report's model and its charts, made before the template runs as data for the
/// shared chart code (<see cref="ChartSpec"/>), each with the id its figure names.
/// </summary>
public sealed class HtmlView
{
    private readonly Dictionary<string, ChartSpec> _charts = [];

    public HtmlView(ReportModel model)
    {
        Model = model;
        PhaseCharts = [.. model.Run.Phases.Select(phase => (phase,
            Add($"{phase.Name}-requests", Charts.RequestsPerSecond(model.Series, phase)),
            Add($"{phase.Name}-errors", Charts.ErrorRate(model.Series, phase)),
            Add($"{phase.Name}-distribution", Charts.PercentileDistribution(phase)),
            (IReadOnlyList<(string, string)>)[.. phase.Services.Select((s, i) => (s.Name, Add($"{phase.Name}-latency-{i}", Charts.Percentiles(model.Series, phase, s))))]))];
        if (model.Regressions.Count > 0 && model.Run.Phases.FirstOrDefault(p => p.Name == PhaseSummary.Load) is { } load)
            AgainstBaseline = Add("against-baseline", Charts.AgainstBaseline(load, model.Regressions));
        if (model.Trend.Count > 0)
        {
            Trends = (Add("trend-p95", Charts.Trend(model.Trend, model.Run, "p95 latency per service", "ms", m => m.Latency.P95)),
                      Add("trend-requests", Charts.Trend(model.Trend, model.Run, "requests per second per service", "req/s", m => m.RequestsPerSecond)));
        }

        if (model.Run.Resources.Count > 0)
        {
            ResourceCharts = (Add("resource-cpu", Charts.Resources(model.Run.Resources, "CPU (share of its limit; all cores for a process)", "%", s => s.CpuPercent)),
                              Add("resource-memory", Charts.Resources(model.Run.Resources, "resident memory", "MB", s => s.MemoryBytes / 1048576.0)));
        }
    }

    public ReportModel Model { get; }

    /// <summary>Per phase, the ids of its charts: requests/s, error rate, the percentile distribution, then latency over time per service.</summary>
    public IReadOnlyList<(PhaseSummary Phase, string Requests, string Errors, string Distribution, IReadOnlyList<(string Service, string Chart)> Percentiles)> PhaseCharts { get; }

    /// <summary>The load phase's per-second p95 medians against the baseline's (the verdict's statistic); null without verdicts.</summary>
    public string? AgainstBaseline { get; }

    /// <summary>p95 and requests/s per service over the base branch's recent runs; null without history.</summary>
    public (string P95, string RequestsPerSecond)? Trends { get; }

    /// <summary>CPU and memory of the watched processes and containers over time; null when none was watched.</summary>
    public (string Cpu, string Memory)? ResourceCharts { get; }

    /// <summary>Every chart by id, as the JSON the page's script reads.</summary>
    public string ChartData => ChartSpec.Serialize(_charts);

    /// <summary>The chart library's and our chart code's text, inlined into the page.</summary>
    public static string ChartScript => Assets.Value.Script;

    /// <summary>The chart library's style sheet.</summary>
    public static string ChartStyle => Assets.Value.Style;

    private static readonly Lazy<(string Script, string Style)> Assets = new(() =>
        (Resource("uPlot.js") + "\n" + Resource("zoptal-charts.js"), Resource("uPlot.css")));

    private static string Resource(string name)
    {
        using var stream = typeof(HtmlView).Assembly.GetManifestResourceStream($"Zoptal.Perf.Reporting.Web.{name}")
            ?? throw new InvalidOperationException($"The report's chart asset {name} is not embedded: build src/Zoptal.Perf.Reporting (npm ci restores the chart library).");
        using var reader = new StreamReader(stream);
        // A script's text must never close its element early.
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }

    private string Add(string id, ChartSpec chart)
    {
        _charts[id] = chart;
        return id;
    }

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
        Verdict.Inconclusive => "inconclusive",
        _ => "neutral",
    };

    /// <summary><c>Slower +29.8 %</c>, <c>Inconclusive +12.0 %</c>, <c>Unknown</c>.</summary>
    public static string VerdictText(RegressionResult regression) =>
        regression.Verdict + (double.IsFinite(regression.EffectPercent) ? " " + regression.EffectPercent.ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture) + " %" : "");

    /// <summary>A number as the report prints it.</summary>
    public static string N(double value, string format = "0.0") => double.IsFinite(value) ? Charts.Format(value, format) : "–";
}

/// <summary>
/// One self-contained HTML file (opens offline: no external scripts, fonts or images): the verdict, the run's
/// metadata and baseline, graded tables with the regression verdicts, and interactive charts (uPlot and our chart
/// code inlined, their data as JSON in the page). The layout is a
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
