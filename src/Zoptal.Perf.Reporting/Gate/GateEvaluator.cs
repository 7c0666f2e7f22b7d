using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Gate;

/// <summary>The gate's verdict and every reason it failed (or would have, for excluded items).</summary>
public sealed record GateResult(GateFailOn Policy, bool Passed, IReadOnlyList<string> Reasons, IReadOnlyList<string> Notes, IReadOnlyList<string> Exclude)
{
    /// <summary>Whether <c>gate.exclude</c> names the service or the scenario.</summary>
    public bool IsExcluded(string service, string? scenario) => Excludes(Exclude, service, scenario);

    /// <summary>Whether an exclusion list names the service (<c>auth</c>) or the scenario (<c>auth/rate-limit</c>).</summary>
    public static bool Excludes(IReadOnlyList<string> exclude, string service, string? scenario) =>
        exclude.Contains(service) || (scenario is not null && exclude.Contains($"{service}/{scenario}"));
}

/// <summary>
/// Applies the gate policy to a run: <c>critical</c> fails on any critical grade, <c>warning</c> on any warning or
/// critical one, <c>regression</c> on a service or scenario that is Slower than its baseline (grades are then
/// reported as notes), <c>never</c> only reports. Failed k6 thresholds fail every policy but <c>never</c>. Items listed in
/// <c>gate.exclude</c> (<c>service</c> or <c>service/scenario</c>) are graded but never fail the gate.
/// An aborted run fails the gate: it did not measure what it was meant to. Only the load phase is gated: a stress
/// phase pushes past capacity on purpose, so its grades are reported as notes.
/// </summary>
public static class GateEvaluator
{
    public static GateResult Evaluate(RunSummary run, GateConfig gate, GateFailOn? overridePolicy = null, IReadOnlyList<RegressionResult>? regressions = null)
    {
        var policy = overridePolicy ?? gate.FailOn;
        var reasons = new List<string>();
        var notes = new List<string>();
        // Under never and regression, critical grades are still listed (as findings or notes).
        var worst = FailingGrade(policy) ?? Grade.Critical;
        var gradesFail = policy is not GateFailOn.Regression;
        foreach (var phase in run.Phases)
        {
            var gated = IsGated(phase);
            foreach (var service in phase.Services)
            {
                Check($"{phase.Name} {service.Name}", service.Name, null, service.Grades, gated);
                foreach (var scenario in service.Scenarios)
                    Check($"{phase.Name} {service.Name}/{scenario.Name}", service.Name, scenario.Name, scenario.Grades, gated);
                foreach (var threshold in service.Thresholds.Where(t => !t.Passed))
                    reasons.Add($"{phase.Name} {service.Name}: threshold {threshold.Metric} '{threshold.Expression}' failed (actual {threshold.Actual:0.###})");
            }
        }

        foreach (var watched in run.Resources.Where(r => r.Resource.Problem is not null).DistinctBy(r => r.Resource.Name))
            notes.Add($"{watched.Resource.Kind} {watched.Resource.Name} was not watched: {watched.Resource.Problem}");
        foreach (var watched in run.Resources.Where(r => r.Phase != PhaseSummary.Stress))
        {
            foreach (var grade in watched.Grades.Where(g => g.Grade >= worst))
            {
                var text = $"{watched.Phase} {watched.Resource.Name}: {Describe(grade)}";
                if (!watched.Gated)
                    notes.Add(text + " (the embedded sample platform shares the machine with the load generator: graded, not gated)");
                else if (gradesFail)
                    reasons.Add(text);
                else
                    notes.Add(text + " (failOn: regression fails on regressions only)");
            }
        }

        if (run.Generator is { Bottleneck: true } generator)
            notes.Add($"the load generator's CPU reached {generator.CpuMaxPercent:0} % of all cores: part of the measured latency may be the generator's");

        foreach (var slower in (regressions ?? []).Where(r => r.Verdict == Verdict.Slower))
        {
            var text = FormattableString.Invariant($"{PhaseSummary.Load} {slower.Name}: slower than the baseline, p95 per second {slower.CurrentMedian:0.#} ms against {slower.BaselineMedian:0.#} ms ({slower.EffectPercent:+0.#;-0.#} %; {slower.Method})");
            if (GateResult.Excludes(gate.Exclude, slower.Service, slower.Scenario))
                notes.Add(text + " (excluded from the gate)");
            else if (policy is GateFailOn.Regression or GateFailOn.Never)
                reasons.Add(text);
            else
                notes.Add(text + $" (failOn: {policy.ToString().ToLowerInvariant()} does not fail on regressions)");
        }

        if (run.Aborted)
            reasons.Add($"the run was aborted: {run.AbortReason}");
        var passed = policy == GateFailOn.Never || reasons.Count == 0;
        return new GateResult(policy, passed, reasons, notes, gate.Exclude);

        void Check(string where, string service, string? scenario, IReadOnlyList<GradedMetric> grades, bool gated)
        {
            foreach (var grade in grades.Where(g => g.Grade >= worst))
            {
                var text = $"{where}: {Describe(grade)}";
                if (GateResult.Excludes(gate.Exclude, service, scenario))
                    notes.Add(text + " (excluded from the gate)");
                else if (!gated)
                    notes.Add(text + " (stress phase: reported, not gated)");
                else if (!gradesFail)
                    notes.Add(text + " (failOn: regression fails on regressions only)");
                else
                    reasons.Add(text);
            }
        }
    }

    /// <summary>The grade from which a policy fails the gate; null for <c>never</c> and <c>regression</c>.</summary>
    public static Grade? FailingGrade(GateFailOn policy) => policy switch
    {
        GateFailOn.Warning => Grade.Warning,
        GateFailOn.Critical => Grade.Critical,
        _ => null,
    };

    /// <summary>Whether a phase's grades can fail the gate (the stress phase's cannot).</summary>
    public static bool IsGated(PhaseSummary phase) => phase.Name != PhaseSummary.Stress;

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
