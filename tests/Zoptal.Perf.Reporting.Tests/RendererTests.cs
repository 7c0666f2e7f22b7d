using System.Xml.Linq;
using AngleSharp.Html.Parser;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Probes.Resources;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Reporting.Renderers;
using Zoptal.Perf.Results;
using static Zoptal.Perf.Reporting.Tests.Runs;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>Markdown and JUnit against checked-in expected files: a reviewer sees exactly what changed in the output.</summary>
public sealed class RendererTests
{
    private static readonly DateTimeOffset Generated = new(2026, 11, 26, 12, 1, 0, TimeSpan.Zero);

    /// <summary>The mixed run against a baseline in which project was faster (p95 2,000 ms): project and its scenario are Slower.</summary>
    private static ReportModel Model(GateConfig? gate = null)
    {
        var run = Mixed();
        var earlier = Run(LoadPhase(
            Service("auth", Metrics(6000, 0, 30, 42, 155, 230), null, Scenario("login", Metrics(3000, 0, 30, 45, 160, 230))),
            Service("project", Metrics(4500, 0, 30, 700, 2000, 2500), null, Scenario("crud", Metrics(4500, 0, 30, 700, 2000, 2500))))) with
        { RunId = "20261125-120000-0000001" };
        var baseline = new Baseline("1 run of 'main' at or before the merge base 0000001",
            [new HistoryEntry(earlier.RunId, earlier.StartedAt, "0000001", "main", null, false, earlier, RunSeries.From(Series(earlier, 30, 150, seed: 2)))]);
        var series = RunSeries.From(Series(run, 30, 150, seed: 3));
        var regressions = new[]
        {
            RegressionAnalyzer.Compare("auth", null, [.. series.Of("load", "auth").Select(p => p.P95)], [.. baseline.Runs[0].Series.Of("load", "auth").Select(p => p.P95)], 10),
            RegressionAnalyzer.Compare("project", null, [.. Enumerable.Range(0, 30).Select(i => 2600.0 + i)], [.. Enumerable.Range(0, 30).Select(i => 2000.0 + i)], 10),
            RegressionAnalyzer.Compare("project", "crud", [.. Enumerable.Range(0, 30).Select(i => 2600.0 + i)], [.. Enumerable.Range(0, 30).Select(i => 2000.0 + i)], 10),
        };
        gate ??= new GateConfig { Exclude = ["auth/login"] };
        return new ReportModel(run, GateEvaluator.Evaluate(run, gate, null, regressions), Generated)
        {
            Series = series,
            Baseline = baseline,
            Regressions = regressions,
            Trend = [baseline.Runs[0]],
        };
    }

    private static string Render(IReportRenderer renderer, ReportModel model)
    {
        var writer = new StringWriter();
        renderer.Render(model, writer);
        return writer.ToString().Replace("\r\n", "\n");
    }

    [Theory]
    [InlineData("markdown", "report.md")]
    [InlineData("junit", "report.junit.xml")]
    public void The_output_matches_the_golden_file(string renderer, string golden)
    {
        var actual = Render(renderer == "markdown" ? MarkdownRenderer.Default : JUnitRenderer.Default, Model());
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", golden);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Golden", golden), actual);
        Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n"), actual);
    }

    [Fact]
    public void A_saturated_run_shows_its_dropped_iterations_beside_the_percentiles_and_fails_as_not_measurable_in_every_format()
    {
        var metrics = Metrics(9000, 0, 30, 40, 150, 220) with { PlannedIterations = 10_000, DroppedIterations = 1_000, LatencyCorrected = Latency(45, 170, 260) };
        var service = new ServiceSummary("auth", "http://127.0.0.1:3001/", true, false, null, 30, metrics,
            metrics.Grade(ThresholdTable.Default, graded: GradedLatency.Corrected, maxDroppedPercent: 1), [], []);
        var run = Run(LoadPhase(service) with { Profile = "300 iterations/s, 20 VUs preallocated, up to 50", ThroughputNote = "requests/s not graded: load.gradeThroughput is false" })
            with
        { GradedLatency = GradedLatency.Corrected };
        var model = new ReportModel(run, GateEvaluator.Evaluate(run, new GateConfig(), null, []), Generated);
        Assert.False(model.Gate.Passed);

        var markdown = Render(MarkdownRenderer.Default, model); // also the pull request comment
        Assert.Contains("### load phase: 300 iterations/s, 20 VUs preallocated, up to 50, 40 s", markdown);
        Assert.Contains("_requests/s not graded: load.gradeThroughput is false_", markdown);
        var page = Render(HtmlRenderer.Default, model);
        Assert.Contains("load phase: 300 iterations/s, 20 VUs preallocated, up to 50, 40 s", page);
        Assert.Contains("<p class=\"note\">requests/s not graded: load.gradeThroughput is false</p>", page);
        Assert.Contains("| dropped iterations | 1,000 (10%) |", markdown);
        Assert.Contains("latency not measurable: the generator saturated (1,000 of 10,000 planned iterations dropped", markdown);
        Assert.Contains("| p95 ms (corrected) | 170.0 |", markdown);
        Assert.Contains("| p95 / p99 ms (measured) | 150.0 / 220.0 |", markdown);

        var junit = XDocument.Parse(Render(JUnitRenderer.Default, model));
        var failure = junit.Descendants("testcase").Single(c => (string?)c.Attribute("name") == MetricSet.DroppedKey).Element("failure")!;
        Assert.Contains("latency not measurable", (string?)failure.Attribute("message"));

        var html = new HtmlParser().ParseDocument(Render(HtmlRenderer.Default, model));
        var dropped = html.QuerySelector("table.services tr[data-service=auth] td[data-metric=dropped]")!;
        Assert.Equal(("1,000 (10 %)", "critical"), (dropped.TextContent, dropped.ClassName));
        Assert.Contains("latency not measurable", html.QuerySelector("p.note.critical")!.TextContent);
        Assert.Contains("p95 ms (corrected)", html.QuerySelector("table.services thead")!.TextContent);
    }

    [Fact]
    public void File_names_follow_the_platform_guide()
    {
        var model = Model();
        Assert.Equal("performance_report_20261126_120000.md", MarkdownRenderer.Default.FileName(model));
        Assert.Equal("benchmark_report_20261126_120000.json", JsonRenderer.Default.FileName(model));
        Assert.Equal("performance_junit_20261126_120000.xml", JUnitRenderer.Default.FileName(model));
        Assert.Equal("performance_report_20261126_120000.html", HtmlRenderer.Default.FileName(model));
    }

    [Fact]
    public void The_html_report_is_one_offline_file_with_verdict_metadata_graded_tables_and_every_chart()
    {
        var document = new HtmlParser().ParseDocument(Render(HtmlRenderer.Default, Model()));

        var verdict = document.QuerySelector("h1#verdict")!;
        Assert.Equal("failed", verdict.ClassName);
        Assert.Contains("Performance gate failed (fail on critical)", verdict.TextContent);
        Assert.Contains("20261126-120000-abc1234", document.QuerySelector("#metadata")!.TextContent);
        Assert.Contains("merge base 0000001", document.QuerySelector("#baseline")!.TextContent);
        Assert.Contains(document.QuerySelectorAll("#reasons li"), li => li.TextContent.Contains("project: Response time (p95)"));

        var project = document.QuerySelector("#phase-load table.services tr[data-service=project]")!;
        var cells = project.QuerySelectorAll("td").Select(td => (td.TextContent, td.ClassName)).ToList();
        Assert.Equal("project", cells[0].TextContent);
        Assert.Equal(("2600.0", "critical"), cells[5]);      // p95, graded critical
        Assert.Equal("2600.0 / 3100.0", cells[7].TextContent); // p95 / p99 as measured, beside the graded figures
        Assert.Equal("0", cells[8].TextContent);            // dropped iterations, next to the percentiles
        Assert.Equal("2614.5 / 2014.5", cells[9].TextContent); // the verdict's statistic: the per-second p95's medians
        Assert.StartsWith("Slower +", cells[10].TextContent); // the regression verdict
        Assert.Equal("critical", cells[10].ClassName);

        var charts = document.QuerySelectorAll("figure.chart").Select(f => f.GetAttribute("data-chart")).ToList();
        Assert.Equal(["requests-per-second", "error-rate", "latency-distribution", "latency-percentiles", "latency-percentiles", "against-baseline", "trend-p95", "trend-requests-per-second"], charts);
        // Each figure names its chart in the page's data, and every chart has points (drawn: ReportInChromiumTests).
        var specs = System.Text.Json.JsonDocument.Parse(document.QuerySelector("script#zoptal-report-charts")!.TextContent).RootElement;
        Assert.All(document.QuerySelectorAll("figure.chart"), f => Assert.True(specs.TryGetProperty(f.GetAttribute("data-chart-spec")!, out _)));
        Assert.Contains(document.QuerySelectorAll("#phase-load ul.evidence li"), li => li.TextContent.StartsWith("project: Slower +") && li.TextContent.Contains("interval"));

        // Self-contained: nothing to fetch; the chart library and code are inline.
        Assert.Empty(document.QuerySelectorAll("link, img, iframe, object"));
        Assert.All(document.QuerySelectorAll("script"), s => Assert.Null(s.GetAttribute("src")));
        Assert.Empty(document.QuerySelectorAll("[src]"));
        Assert.DoesNotContain(document.QuerySelectorAll("[href]"), e => !e.GetAttribute("href")!.StartsWith('#'));
    }

    [Fact]
    public void Resources_and_database_findings_are_in_the_markdown_and_the_html()
    {
        var samples = Enumerable.Range(1, 10).Select(i => new ResourceSample(i, 85 + i % 3, 200_000_000 + i, 1.2, 30, 40)).ToList();
        var resource = ResourceSummary.Of("process", "sample platform", 16_000_000_000, samples);
        var database = new DatabaseReport("127.0.0.1:5432/zoptal", "15.8", null, true,
            [new QueryStat("SELECT * FROM users WHERE lower(email) = lower($1)", 1200, 240, 0.2, 1200, 100)], 99.9, 98.5, 12, 100,
            [new DbFinding("missing-index", Severity.Warning, "missing index on users (lower(email)): 1,200 calls at 0.2 ms mean scan the whole table",
                "plan: Seq Scan on users", "CREATE INDEX CONCURRENTLY idx_users_lower_email ON public.users (lower(email));", "SELECT * FROM users WHERE lower(email) = lower($1)"),
             new DbFinding("vacuum", Severity.Info, "users has never been vacuumed", "1,000 live rows")]);
        var run = Mixed() with
        {
            Resources = [new WatchedResource("load", resource, WatchedResource.Grade(resource, ThresholdTable.Default), Gated: false)],
            Database = database,
        };
        var model = new ReportModel(run, GateEvaluator.Evaluate(run, new GateConfig()), Generated);

        var markdown = Render(MarkdownRenderer.Default, model);
        Assert.Contains("| load | sample platform | 86.0% | 87.0% | 190.7 MB (1.2%) | 🔴 critical |", markdown);
        Assert.Contains("CREATE INDEX CONCURRENTLY idx\\_users\\_lower\\_email ON public.users (lower(email));", markdown);
        Assert.Contains("1 more note (vacuum, analyze, young statistics)", markdown);
        Assert.Contains(model.Gate.Notes, n => n.StartsWith("load sample platform: CPU usage 86 % is critical") && n.Contains("not gated"));
        Assert.DoesNotContain(model.Gate.Reasons, r => r.Contains("sample platform"));

        var document = new HtmlParser().ParseDocument(Render(HtmlRenderer.Default, model));
        Assert.Equal("critical", document.QuerySelector("#resources tr[data-resource='sample platform'] td:nth-child(2)")!.ClassName);
        Assert.NotNull(document.QuerySelector("figure[data-chart=resource-cpu][data-chart-spec=resource-cpu]"));
        Assert.NotNull(document.QuerySelector("figure[data-chart=resource-memory][data-chart-spec=resource-memory]"));
        var finding = document.QuerySelector("#database tr[data-kind=missing-index]")!;
        Assert.Equal("warning", finding.QuerySelector("td")!.ClassName);
        Assert.Contains("CREATE INDEX CONCURRENTLY idx_users_lower_email", finding.TextContent);
        Assert.Contains("1,200", document.QuerySelector("#database table.queries")!.TextContent);
    }

    [Fact]
    public void Names_and_messages_from_the_run_are_escaped()
    {
        var hostile = "<script>alert(\"x\")</script>|*boom*";
        var run = Run(LoadPhase(Service(hostile, Metrics(100, 50, 10, 3000, 9000, 9999), null, Scenario("s'\"><img src=x>", Metrics(100, 50, 10, 3000, 9000, 9999)))))
            with
        { AbortReason = "a `tick` and <b>", Aborted = true };
        var model = new ReportModel(run, GateEvaluator.Evaluate(run, new GateConfig()), Generated);

        var markdown = Render(MarkdownRenderer.Default, model);
        Assert.DoesNotContain("<script>", markdown);
        Assert.DoesNotContain("<b>", markdown);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\|\\*boom\\*", markdown);

        var xml = XDocument.Parse(Render(JUnitRenderer.Default, model));
        Assert.Equal($"load.{hostile}", xml.Root!.Element("testsuite")!.Attribute("name")!.Value);

        // In the HTML, the name is text in the tables and in the charts' data, never markup (ReportInChromiumTests
        // checks the drawn legends): the only scripts are the report's own, and the chart data keeps the JSON element shut.
        var html = Render(HtmlRenderer.Default, model with { Series = RunSeries.From(Series(run, 5)) });
        var document = new HtmlParser().ParseDocument(html);
        Assert.Empty(document.QuerySelectorAll("b, img"));
        Assert.Equal(2, document.QuerySelectorAll("script").Length);
        var data = document.QuerySelector("script#zoptal-report-charts")!.TextContent;
        Assert.Contains(hostile, System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("load-requests").GetProperty("variants")[0].GetProperty("series")[0].GetProperty("label").GetString());
        Assert.DoesNotContain("<", data);
        Assert.Contains("s'\"><img src=x> status is 200 ×50", document.QuerySelector("table.scenarios")!.TextContent); // a failed check's name
        Assert.Equal(hostile, document.QuerySelector("table.services td")!.TextContent);
        Assert.Contains("a `tick` and <b>", document.QuerySelector("#metadata")!.TextContent);
        Assert.DoesNotContain("<script>alert", html);
    }
}
