using System.Globalization;
using System.Xml.Linq;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>
/// JUnit XML so CI test reporters show the gate: a test suite per phase and service, a test case per graded metric
/// and per k6 threshold. A case fails when the gate's policy fails on it; excluded items are skipped cases.
/// </summary>
public sealed class JUnitRenderer : IReportRenderer
{
    public static JUnitRenderer Default { get; } = new();

    public string FileName(ReportModel model) => $"performance_junit_{model.Stamp}.xml";

    public void Render(ReportModel model, TextWriter writer)
    {
        var gate = model.Gate;
        var suites = new XElement("testsuites", new XAttribute("name", $"performance {model.Run.RunId}"));
        foreach (var phase in model.Run.Phases)
        {
            foreach (var service in phase.Services)
            {
                var cases = new List<XElement>();
                void Case(string name, GateItem? item, string? output = null)
                {
                    var testCase = new XElement("testcase", new XAttribute("classname", $"{phase.Name}.{service.Name}"), new XAttribute("name", name), new XAttribute("time", "0"));
                    if (Outcome(item) is { } outcome)
                        testCase.Add(outcome);
                    else if (output is not null)
                        testCase.Add(new XElement("system-out", output));
                    cases.Add(testCase);
                }

                foreach (var grade in service.Grades)
                    Case(grade.Metric, gate.Find(GateItemKind.Grade, phase.Name, service.Name, null, grade.Metric));
                foreach (var scenario in service.Scenarios)
                {
                    foreach (var grade in scenario.Grades)
                        Case($"{scenario.Name}.{grade.Metric}", gate.Find(GateItemKind.Grade, phase.Name, service.Name, scenario.Name, grade.Metric));
                }

                foreach (var threshold in service.Thresholds)
                {
                    var item = threshold.Passed ? null : gate.Find(GateItemKind.Threshold, phase.Name, service.Name, null, GateEvaluator.ThresholdSubject(threshold));
                    Case($"threshold {threshold.Metric}: {threshold.Expression}", item);
                }

                foreach (var regression in model.Regressions.Where(r => r.Service == service.Name && phase.Name == PhaseSummary.Load))
                {
                    Case(regression.Scenario is null ? "regression" : $"{regression.Scenario}.regression",
                        gate.Find(GateItemKind.Regression, phase.Name, service.Name, regression.Scenario, null),
                        GateEvaluator.RegressionDetail(regression));
                }

                suites.Add(new XElement("testsuite",
                    new XAttribute("name", $"{phase.Name}.{service.Name}"),
                    new XAttribute("tests", cases.Count),
                    new XAttribute("failures", cases.Count(c => c.Element("failure") is not null)),
                    new XAttribute("skipped", cases.Count(c => c.Element("skipped") is not null)),
                    cases));
            }
        }

        // The declaration by hand: saved through a TextWriter, XDocument would declare the writer's encoding (UTF-16
        // for a string), while the file is written as UTF-8.
        writer.WriteLine("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        writer.WriteLine(suites.ToString());
    }

    // A failing item is a failure, an excluded or ungated one a skipped case, as the gate decided; the rest pass.
    private static XElement? Outcome(GateItem? item) => item?.Effect switch
    {
        GateEffect.Fails => new XElement("failure", new XAttribute("message", item.Detail),
            new XAttribute("type", (item.Grade?.ToString() ?? item.Kind.ToString()).ToLowerInvariant())),
        GateEffect.Excluded => new XElement("skipped", new XAttribute("message", "excluded from the gate: " + item.Detail)),
        GateEffect.NotGated => new XElement("skipped", new XAttribute("message", "stress phase, not gated: " + item.Detail)),
        _ => null,
    };
}
