using System.Xml.Linq;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.Renderers;
using static Zoptal.Perf.Reporting.Tests.Runs;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>Markdown and JUnit against checked-in expected files: a reviewer sees exactly what changed in the output.</summary>
public sealed class RendererTests
{
    private static readonly DateTimeOffset Generated = new(2026, 11, 26, 12, 1, 0, TimeSpan.Zero);

    private static ReportModel Model(GateConfig? gate = null)
    {
        var run = Mixed();
        return new ReportModel(run, GateEvaluator.Evaluate(run, gate ?? new GateConfig { Exclude = ["auth/login"] }), Generated);
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
    public void File_names_follow_the_platform_guide()
    {
        var model = Model();
        Assert.Equal("performance_report_20261126_120000.md", MarkdownRenderer.Default.FileName(model));
        Assert.Equal("benchmark_report_20261126_120000.json", JsonRenderer.Default.FileName(model));
        Assert.Equal("performance_junit_20261126_120000.xml", JUnitRenderer.Default.FileName(model));
    }

    [Fact]
    public void Names_and_messages_from_the_run_are_escaped()
    {
        var hostile = "<script>alert(\"x\")</script>|*boom*";
        var run = Run(LoadPhase(Service(hostile, Metrics(100, 50, 10, 3000, 9000, 9999)))) with { AbortReason = "a `tick` and <b>", Aborted = true };
        var model = new ReportModel(run, GateEvaluator.Evaluate(run, new GateConfig()), Generated);

        var markdown = Render(MarkdownRenderer.Default, model);
        Assert.DoesNotContain("<script>", markdown);
        Assert.DoesNotContain("<b>", markdown);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\|\\*boom\\*", markdown);

        var xml = XDocument.Parse(Render(JUnitRenderer.Default, model));
        Assert.Equal($"load.{hostile}", xml.Root!.Element("testsuite")!.Attribute("name")!.Value);
    }
}
