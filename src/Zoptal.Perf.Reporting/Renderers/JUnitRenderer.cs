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
        var failOn = GateEvaluator.FailingGrade(model.Gate.Policy);
        var suites = new XElement("testsuites", new XAttribute("name", $"performance {model.Run.RunId}"));
        foreach (var phase in model.Run.Phases)
        {
            foreach (var service in phase.Services)
            {
                var cases = new List<XElement>();
                void Add(string name, string? scenario, GradedMetric grade)
                {
                    var testCase = new XElement("testcase", new XAttribute("classname", $"{phase.Name}.{service.Name}"), new XAttribute("name", name), new XAttribute("time", "0"));
                    if (grade.Grade >= failOn)
                    {
                        if (!GateEvaluator.IsGated(phase))
                        {
                            testCase.Add(new XElement("skipped", new XAttribute("message", "stress phase, not gated: " + GateEvaluator.Describe(grade))));
                            cases.Add(testCase);
                            return;
                        }

                        testCase.Add(model.Gate.IsExcluded(service.Name, scenario)
                            ? new XElement("skipped", new XAttribute("message", "excluded from the gate: " + GateEvaluator.Describe(grade)))
                            : new XElement("failure", new XAttribute("message", GateEvaluator.Describe(grade)), new XAttribute("type", grade.Grade.ToString().ToLowerInvariant())));
                    }

                    cases.Add(testCase);
                }

                foreach (var grade in service.Grades)
                    Add(grade.Metric, null, grade);
                foreach (var scenario in service.Scenarios)
                {
                    foreach (var grade in scenario.Grades)
                        Add($"{scenario.Name}.{grade.Metric}", scenario.Name, grade);
                }

                foreach (var threshold in service.Thresholds)
                {
                    var testCase = new XElement("testcase", new XAttribute("classname", $"{phase.Name}.{service.Name}"),
                        new XAttribute("name", $"threshold {threshold.Metric}: {threshold.Expression}"), new XAttribute("time", "0"));
                    if (!threshold.Passed && model.Gate.Policy != GateFailOn.Never)
                        testCase.Add(new XElement("failure", new XAttribute("message", string.Create(CultureInfo.InvariantCulture, $"actual {threshold.Actual:0.###}")), new XAttribute("type", "threshold")));
                    cases.Add(testCase);
                }

                foreach (var regression in model.Regressions.Where(r => r.Service == service.Name && phase.Name == PhaseSummary.Load))
                {
                    var testCase = new XElement("testcase", new XAttribute("classname", $"{phase.Name}.{service.Name}"),
                        new XAttribute("name", regression.Scenario is null ? "regression" : $"{regression.Scenario}.regression"), new XAttribute("time", "0"));
                    var text = string.Create(CultureInfo.InvariantCulture, $"{regression.Verdict}: {regression.EffectPercent:+0.#;-0.#} % ({regression.Method})");
                    if (regression.Verdict == Verdict.Slower && model.Gate.Policy == GateFailOn.Regression)
                    {
                        testCase.Add(model.Gate.IsExcluded(service.Name, regression.Scenario)
                            ? new XElement("skipped", new XAttribute("message", "excluded from the gate: " + text))
                            : new XElement("failure", new XAttribute("message", text), new XAttribute("type", "regression")));
                    }
                    else
                    {
                        testCase.Add(new XElement("system-out", text));
                    }

                    cases.Add(testCase);
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
}
