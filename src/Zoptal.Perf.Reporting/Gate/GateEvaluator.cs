using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Gate;

/// <summary>
/// Applies the gate policy to a run: <c>critical</c> fails on any critical grade, <c>warning</c> on any warning or
/// critical one, <c>regression</c> on a service or scenario that is Slower than its baseline (grades are then
/// reported as notes), <c>never</c> only reports. Failed k6 thresholds fail every policy but <c>never</c>. Items listed in
/// <c>gate.exclude</c> (<c>service</c> or <c>service/scenario</c>) are graded but never fail the gate.
/// An aborted run fails the gate: it did not measure what it was meant to. Only the load phase is gated: a stress
/// phase pushes past capacity on purpose, so its grades are reported as notes. Every decision is a <see cref="GateItem"/>
/// with its <see cref="GateEffect"/>; renderers read the effects and decide nothing themselves.
/// </summary>
public static class GateEvaluator
{
    public static GateResult Evaluate(RunSummary run, GateConfig gate, GateFailOn? overridePolicy = null, IReadOnlyList<RegressionResult>? regressions = null)
    {
        var policy = overridePolicy ?? gate.FailOn;
        var items = new List<GateItem>();
        // Under never and regression, critical grades are still listed (as reasons that do not fail, or as notes).
        var worst = policy == GateFailOn.Warning ? Grade.Warning : Grade.Critical;
        var failing = policy == GateFailOn.Never ? GateEffect.Reported : GateEffect.Fails;
        foreach (var phase in run.Phases)
        {
            foreach (var service in phase.Services)
            {
                Grades(phase, service.Name, null, service.Grades);
                foreach (var scenario in service.Scenarios)
                    Grades(phase, service.Name, scenario.Name, scenario.Grades);
                foreach (var threshold in service.Thresholds.Where(t => !t.Passed))
                {
                    items.Add(new GateItem(GateItemKind.Threshold, phase.Name, service.Name, null, ThresholdSubject(threshold),
                        $"{phase.Name} {service.Name}: threshold {threshold.Metric} '{threshold.Expression}' failed (actual {threshold.Actual:0.###})", failing)
                    {
                        Detail = FormattableString.Invariant($"actual {threshold.Actual:0.###}"),
                    });
                }
            }
        }

        foreach (var watched in run.Resources.Where(r => r.Resource.Problem is not null).DistinctBy(r => r.Resource.Name))
            items.Add(new GateItem(GateItemKind.Resource, watched.Phase, null, null, null, $"{watched.Resource.Kind} {watched.Resource.Name} was not watched: {watched.Resource.Problem}", GateEffect.Info));
        foreach (var watched in run.Resources.Where(r => r.Phase != PhaseSummary.Stress))
        {
            foreach (var grade in watched.Grades.Where(g => g.Grade >= worst))
            {
                var text = $"{watched.Phase} {watched.Resource.Name}: {Describe(grade)}";
                var item = new GateItem(GateItemKind.Resource, watched.Phase, watched.Resource.Name, null, grade.Metric, text, failing) { Detail = Describe(grade), Grade = grade.Grade };
                if (!watched.Gated)
                    item = item with { Text = text + " (the embedded sample platform shares the machine with the load generator: graded, not gated)", Effect = GateEffect.NotGated };
                else if (policy == GateFailOn.Regression)
                    item = item with { Text = text + " (failOn: regression fails on regressions only)", Effect = GateEffect.OtherPolicy };
                items.Add(item);
            }
        }

        if (run.Generator is { Bottleneck: true } generator)
            items.Add(new GateItem(GateItemKind.Run, null, null, null, null, $"the load generator's CPU reached {generator.CpuMaxPercent:0} % of all cores: part of the measured latency may be the generator's", GateEffect.Info));

        foreach (var slower in (regressions ?? []).Where(r => r.Verdict == Verdict.Slower))
        {
            var text = FormattableString.Invariant($"{PhaseSummary.Load} {slower.Name}: slower than the baseline, p95 per second {slower.CurrentMedian:0.#} ms against {slower.BaselineMedian:0.#} ms ({slower.Evidence}; {slower.Method})");
            var item = new GateItem(GateItemKind.Regression, PhaseSummary.Load, slower.Service, slower.Scenario, null, text, failing) { Detail = RegressionDetail(slower) };
            if (Excludes(gate.Exclude, slower.Service, slower.Scenario))
                item = item with { Text = text + " (excluded from the gate)", Effect = GateEffect.Excluded };
            else if (policy is not (GateFailOn.Regression or GateFailOn.Never))
                item = item with { Text = text + $" (failOn: {policy.ToString().ToLowerInvariant()} does not fail on regressions)", Effect = GateEffect.OtherPolicy };
            items.Add(item);
        }

        // A verdict that cannot tell is said, with what the run could have detected: never a failure, never "Same".
        foreach (var unclear in (regressions ?? []).Where(r => r.Verdict == Verdict.Inconclusive && r.Scenario is null))
        {
            items.Add(new GateItem(GateItemKind.Regression, PhaseSummary.Load, unclear.Service, null, null,
                $"{PhaseSummary.Load} {unclear.Name}: inconclusive against the baseline, p95 per second {unclear.Evidence}", GateEffect.Info)
            { Detail = RegressionDetail(unclear) });
        }

        if (run.Aborted)
            items.Add(new GateItem(GateItemKind.Run, null, null, null, null, $"the run was aborted: {run.AbortReason}", failing));
        return new GateResult(policy, items);

        void Grades(PhaseSummary phase, string service, string? scenario, IReadOnlyList<GradedMetric> grades)
        {
            foreach (var grade in grades.Where(g => g.Grade >= worst))
            {
                var where = scenario is null ? $"{phase.Name} {service}" : $"{phase.Name} {service}/{scenario}";
                var text = $"{where}: {Describe(grade)}";
                var item = new GateItem(GateItemKind.Grade, phase.Name, service, scenario, grade.Metric, text, failing) { Detail = Describe(grade), Grade = grade.Grade };
                if (Excludes(gate.Exclude, service, scenario))
                    item = item with { Text = text + " (excluded from the gate)", Effect = GateEffect.Excluded };
                else if (phase.Name == PhaseSummary.Stress)
                    item = item with { Text = text + " (stress phase: reported, not gated)", Effect = GateEffect.NotGated };
                else if (policy == GateFailOn.Regression)
                    item = item with { Text = text + " (failOn: regression fails on regressions only)", Effect = GateEffect.OtherPolicy };
                items.Add(item);
            }
        }
    }

    /// <summary>A regression verdict in short: <c>Slower: +12.3 % (Mann-Whitney U)</c>.</summary>
    public static string RegressionDetail(RegressionResult regression) =>
        FormattableString.Invariant($"{regression.Verdict}: {regression.EffectPercent:+0.#;-0.#} % ({regression.Method})");

    /// <summary>How a threshold is named in the gate's items: <c>http_req_duration: p(95)&lt;500</c>.</summary>
    public static string ThresholdSubject(ThresholdOutcome threshold) => $"{threshold.Metric}: {threshold.Expression}";

    /// <summary>Whether an exclusion list names the service (<c>auth</c>) or the scenario (<c>auth/rate-limit</c>).</summary>
    public static bool Excludes(IReadOnlyList<string> exclude, string service, string? scenario) =>
        exclude.Contains(service) || (scenario is not null && exclude.Contains($"{service}/{scenario}"));

    /// <summary><c>Response time (p95) 2,345 ms is critical</c>.</summary>
    public static string Describe(GradedMetric grade)
    {
        if (grade.Note is { } note)
            return $"{grade.Grade.ToString().ToLowerInvariant()}: {note}";
        var definition = MetricDefinition.Find(grade.Metric);
        var title = definition?.Title ?? grade.Metric;
        var unit = definition?.Unit ?? string.Empty;
        return FormattableString.Invariant($"{title} {grade.Value:#,0.##} {unit} is {grade.Grade.ToString().ToLowerInvariant()}");
    }
}
