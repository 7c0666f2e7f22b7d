using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;
using static Zoptal.Perf.Reporting.Tests.Runs;

namespace Zoptal.Perf.Reporting.Tests;

public sealed class GateEvaluatorTests
{
    [Fact]
    public void Critical_fails_on_critical_grades_only_and_names_each()
    {
        var gate = GateEvaluator.Evaluate(Mixed(), new GateConfig { FailOn = GateFailOn.Critical });
        Assert.False(gate.Passed);
        Assert.Equal(
            ["load project: Response time (p95) 2,600 ms is critical", "load project/crud: Response time (p95) 2,600 ms is critical"],
            gate.Reasons);
    }

    [Fact]
    public void Warning_also_fails_on_warnings()
    {
        var gate = GateEvaluator.Evaluate(Mixed(), new GateConfig { FailOn = GateFailOn.Critical }, GateFailOn.Warning);
        Assert.Equal(GateFailOn.Warning, gate.Policy);
        Assert.Contains("load project: Response time (avg) 800 ms is warning", gate.Reasons);
        Assert.Contains("load project: Error rate 2 % is warning", gate.Reasons);
        Assert.Equal(6, gate.Reasons.Count);
    }

    [Fact]
    public void Regression_fails_on_Slower_verdicts_only_and_lists_grades_as_notes()
    {
        var slower = RegressionAnalyzer.Compare("auth", null, [.. Enumerable.Range(0, 30).Select(i => 200.0 + i)], [.. Enumerable.Range(0, 30).Select(i => 150.0 + i)], 10);
        var excluded = RegressionAnalyzer.Compare("project", "crud", [.. Enumerable.Range(0, 30).Select(i => 200.0 + i)], [.. Enumerable.Range(0, 30).Select(i => 150.0 + i)], 10);
        Assert.Equal((Verdict.Slower, Verdict.Slower), (slower.Verdict, excluded.Verdict));
        var config = new GateConfig { FailOn = GateFailOn.Regression, Exclude = ["project/crud"] };

        var gate = GateEvaluator.Evaluate(Mixed(), config, null, [slower, excluded]);
        Assert.False(gate.Passed);
        Assert.StartsWith("load auth: slower than the baseline", Assert.Single(gate.Reasons));
        Assert.Contains(gate.Notes, n => n.StartsWith("load project/crud: slower") && n.EndsWith("(excluded from the gate)"));
        Assert.Contains(gate.Notes, n => n.StartsWith("load project: Response time (p95) 2,600 ms is critical") && n.Contains("regressions only"));

        Assert.True(GateEvaluator.Evaluate(Mixed(), config, null, []).Passed); // no baseline: nothing regressed
        var critical = GateEvaluator.Evaluate(Mixed(), config, GateFailOn.Critical, [slower]);
        Assert.DoesNotContain(critical.Reasons, r => r.Contains("slower"));
        Assert.Contains(critical.Notes, n => n.Contains("does not fail on regressions"));
    }

    [Fact]
    public void Never_reports_but_passes()
    {
        var gate = GateEvaluator.Evaluate(Mixed(), new GateConfig { FailOn = GateFailOn.Never });
        Assert.True(gate.Passed);
        Assert.Equal(2, gate.Reasons.Count);
    }

    [Fact]
    public void Excluded_services_and_scenarios_are_noted_not_failed()
    {
        var scenarioOnly = GateEvaluator.Evaluate(Mixed(), new GateConfig { Exclude = ["project/crud"] });
        Assert.False(scenarioOnly.Passed);
        Assert.Equal(["load project: Response time (p95) 2,600 ms is critical"], scenarioOnly.Reasons);
        Assert.Contains("load project/crud: Response time (p95) 2,600 ms is critical (excluded from the gate)", scenarioOnly.Notes);

        var service = GateEvaluator.Evaluate(Mixed(), new GateConfig { Exclude = ["project"] });
        Assert.True(service.Passed);
        Assert.Equal(2, service.Notes.Count);
    }

    [Fact]
    public void Failed_thresholds_and_aborted_runs_fail_the_gate_and_stress_grades_do_not()
    {
        var good = Metrics(6000, 0, 30, 40, 150, 220);
        var threshold = new ThresholdOutcome("http_req_duration", "p(95)<100", false, 150);
        var run = Run(LoadPhase(Service("auth", good, [threshold])), new PhaseSummary("stress", "constant-vus", 100, 60, [Service("auth", Metrics(100, 50, 60, 3000, 9000, 9999))])) with
        {
            Aborted = true,
            AbortReason = "interrupted",
        };
        var gate = GateEvaluator.Evaluate(run, new GateConfig());
        Assert.Equal(["load auth: threshold http_req_duration 'p(95)<100' failed (actual 150)", "the run was aborted: interrupted"], gate.Reasons);
        Assert.Contains(gate.Notes, n => n.StartsWith("stress auth: Response time (p95) 9,000 ms is critical (stress phase", StringComparison.Ordinal));
        Assert.True(GateEvaluator.Evaluate(run, new GateConfig { FailOn = GateFailOn.Never }).Passed);
    }

    [Fact]
    public void A_good_run_passes()
    {
        var gate = GateEvaluator.Evaluate(Run(LoadPhase(Service("auth", Metrics(6000, 0, 30, 40, 150, 220)))), new GateConfig { FailOn = GateFailOn.Warning });
        Assert.True(gate.Passed);
        Assert.Empty(gate.Reasons);
    }
}
