using System.Text.Json;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary><c>benchmark_report_&lt;timestamp&gt;.json</c>: the gate's verdict and the whole run summary, for scripts and dashboards.</summary>
public sealed class JsonRenderer : IReportRenderer
{
    public static JsonRenderer Default { get; } = new();

    public string FileName(ReportModel model) => $"benchmark_report_{model.Stamp}.json";

    public void Render(ReportModel model, TextWriter writer) =>
        writer.Write(JsonSerializer.Serialize(new
        {
            reportVersion = 1,
            generatedAt = model.GeneratedAt,
            gate = new { policy = model.Gate.Policy, passed = model.Gate.Passed, reasons = model.Gate.Reasons, notes = model.Gate.Notes },
            baseline = model.Baseline is null ? null : new { description = model.Baseline.Description, runs = model.Baseline.Runs.Select(r => new { r.RunId, r.Commit, r.StartedAt }) },
            regressions = model.Regressions.Select(r => new
            {
                r.Service,
                r.Scenario,
                verdict = r.Verdict.ToString(),
                currentP95Median = Finite(r.CurrentMedian),
                baselineP95Median = Finite(r.BaselineMedian),
                effectPercent = Finite(r.EffectPercent),
                effectLowPercent = Finite(r.EffectLowPercent),
                effectHighPercent = Finite(r.EffectHighPercent),
                detectablePercent = Finite(r.DetectablePercent),
                r.SecondsNeeded,
                minimumEffectPercent = r.MinimumEffectPercent,
                evidence = r.Evidence,
                r.CurrentSamples,
                r.BaselineSamples,
                r.Method,
            }),
            run = model.Run,
        }, RunDirectory.Json));

    // JSON has no NaN: an unknown median or effect is null.
    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 3) : null;
}
