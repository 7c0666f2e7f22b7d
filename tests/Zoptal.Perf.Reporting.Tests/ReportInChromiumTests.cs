using System.Text.Json;
using HdrHistogram;
using Microsoft.Playwright;
using Zoptal.Build;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Probes.Resources;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Reporting.Renderers;
using Zoptal.Perf.Results;
using Zoptal.Perf.Testing;
using static Zoptal.Perf.Reporting.Tests.Runs;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>
/// The HTML report as a browser draws it: Debian's Chromium through Playwright (ExecutablePath; nothing downloaded),
/// at 800 and 1400 px. Every chart must have drawn its series (pixels of each series' colour inside the plot), its
/// axes and its legend, inside the page's width; nothing may be requested from outside the file and nothing logged
/// as an error. Screenshots go to artifacts/test-results/screenshots/ for a person to look at.
/// </summary>
public sealed class ReportInChromiumTests : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        var chromium = AptTasks.ChromiumPath ?? throw new InvalidOperationException("No Chromium: the Test target installs Debian's chromium (apt-get install chromium).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    [Theory]
    [InlineData(800)]
    [InlineData(1400)]
    public async Task Every_chart_draws_its_series_axes_and_legend_inside_the_page_with_nothing_fetched_and_no_error(int width)
    {
        var (page, errors, external) = await OpenAsync(Write(RichModel()), width);

        var charts = await page.QuerySelectorAllAsync("figure.chart");
        Assert.Equal(15, charts.Count);
        foreach (var chart in charts)
        {
            var name = await chart.GetAttributeAsync("data-chart") + " " + (await chart.GetAttributeAsync("data-service") ?? "");
            var drawn = await chart.EvaluateAsync<JsonElement>(InspectChart);
            Assert.True(drawn.GetProperty("rendered").GetString() == "true", $"{name}: not drawn ({drawn})");
            foreach (var series in drawn.GetProperty("series").EnumerateArray())
                Assert.True(series.GetProperty("pixels").GetInt32() > 15, $"{name}: series '{series.GetProperty("label")}' has no drawn points at {width} px ({drawn})");
            Assert.True(drawn.GetProperty("leftAxis").GetInt32() > 50, $"{name}: no y axis drawn ({drawn})");
            Assert.True(drawn.GetProperty("bottomAxis").GetInt32() > 50, $"{name}: no x axis drawn ({drawn})");
            Assert.True(drawn.GetProperty("title").GetBoolean(), $"{name}: no visible title");
            var legend = drawn.GetProperty("legend").EnumerateArray().Select(l => l.GetString()).ToList();
            foreach (var series in drawn.GetProperty("series").EnumerateArray())
                Assert.Contains(series.GetProperty("label").GetString(), legend);
            Assert.True(drawn.GetProperty("right").GetDouble() <= width + 0.5, $"{name}: the chart reaches past the page ({drawn})");
            Assert.True(drawn.GetProperty("canvasWidth").GetDouble() <= drawn.GetProperty("figureWidth").GetDouble() + 0.5, $"{name}: the canvas is wider than its figure ({drawn})");
        }

        // The percentile axis names percentiles; the trend axis names runs by commit, this run last.
        var distribution = await page.QuerySelectorAsync("figure[data-chart=latency-distribution]");
        Assert.Contains("99%", await distribution!.GetAttributeAsync("data-x-ticks"));
        var trend = JsonSerializer.Deserialize<string[]>((await (await page.QuerySelectorAsync("figure[data-chart=trend-p95]"))!.GetAttributeAsync("data-x-ticks"))!)!;
        Assert.Equal(["0000001\n11-23 12:00", "0000002\n11-24 12:00", "0000003\n11-25 12:00", "this run\nabc1234"], trend);

        // The first second's spike is cut off the latency axis, said so, and can be shown.
        var latency = (await page.QuerySelectorAsync("figure[data-chart=latency-percentiles]"))!;
        var note = await latency.QuerySelectorAsync("p.chart-note");
        Assert.Contains("point(s) above it, up to 2400", await note!.TextContentAsync());
        await (await note.QuerySelectorAsync("button"))!.ClickAsync();
        Assert.Contains("Cut the spike off again", await (await latency.QuerySelectorAsync("p.chart-note"))!.TextContentAsync());

        // Drill-down: the service's chart offers its scenarios.
        var options = await latency.EvalOnSelectorAllAsync<string[]>("select option", "o => o.map(x => x.textContent)");
        Assert.Equal(["auth", "auth/login"], options);

        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"report-{width}.png"), FullPage = true });
        Assert.Empty(external);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Hostile_names_stay_text_in_the_drawn_charts()
    {
        var hostile = "<img src=x onerror=alert(1)></script><b>x</b>";
        var run = Run(LoadPhase(Service(hostile, Metrics(100, 0, 10, 30, 90, 120) with { Histograms = Histograms(30) }, null, Scenario("s'\"><img src=y>", Metrics(100, 0, 10, 30, 90, 120)))));
        var model = new ReportModel(run, GateEvaluator.Evaluate(run, new GateConfig()), DateTimeOffset.UnixEpoch) { Series = RunSeries.From(Series(run, 12)) };
        var (page, errors, external) = await OpenAsync(Write(model), 1000);
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await page.WaitForTimeoutAsync(200);

        Assert.Equal(0, await page.EvalOnSelectorAllAsync<int>("img, b", "e => e.length"));
        Assert.Contains(hostile, await page.EvalOnSelectorAllAsync<string[]>(".u-legend .u-label", "e => e.map(x => x.textContent)"));
        Assert.Equal(0, dialogs);
        Assert.Empty(external);
        Assert.Empty(errors);
    }

    private static string ScreenshotFolder => Path.Combine(RepositoryPaths.Root(), "artifacts", "test-results", "screenshots");

    private async Task<(IPage Page, List<string> Errors, List<string> External)> OpenAsync(string file, int width)
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        var errors = new List<string>();
        var external = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
                errors.Add($"{message.Type}: {message.Text}");
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith("file:", StringComparison.Ordinal) || route.Request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
                return;
            }

            external.Add(route.Request.Url);
            await route.AbortAsync();
        });
        await page.GotoAsync(new Uri(file).AbsoluteUri);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('figure.chart')].every(f => f.dataset.rendered)", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        return (page, errors, external);
    }

    // What a chart drew, read off its canvas: pixels of each series' colour inside the plot, ink left of and below the
    // plot (the axes' ticks and labels), the legend's labels, and where the chart sits on the page.
    private const string InspectChart = """
        figure => {
          const u = figure.uplot;
          const box = figure.getBoundingClientRect();
          if (!u) return { rendered: figure.dataset.rendered || "no", series: [], legend: [], leftAxis: 0, bottomAxis: 0, right: box.right, canvasWidth: 0, figureWidth: box.width, title: false };
          const canvas = u.ctx.canvas, pixels = u.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          const b = u.bbox;
          const ink = (x0, y0, x1, y1, match) => {
            let n = 0;
            for (let y = Math.max(0, Math.floor(y0)); y < Math.min(canvas.height, y1); y++)
              for (let x = Math.max(0, Math.floor(x0)); x < Math.min(canvas.width, x1); x++) {
                const i = 4 * (y * canvas.width + x);
                if (pixels[i + 3] > 0 && match(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])) n++;
              }
            return n;
          };
          const rgb = hex => [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
          const series = u.series.slice(1).map((s, i) => {
            const has = u.data[i + 1].some(v => v != null);
            const [r, g, bl] = rgb(s.stroke(u, i + 1));
            const near = (R, G, B) => Math.abs(R - r) + Math.abs(G - g) + Math.abs(B - bl) < 90;
            return { label: s.label, pixels: has ? ink(b.left, b.top, b.left + b.width, b.top + b.height, near) : 999 };
          });
          const dark = (R, G, B, A) => A > 100 && R + G + B < 450;
          const title = figure.querySelector(".u-title");
          return {
            rendered: figure.dataset.rendered,
            series,
            legend: [...figure.querySelectorAll(".u-legend .u-series .u-label")].filter(l => l.getBoundingClientRect().width > 0).map(l => l.textContent),
            leftAxis: ink(0, b.top, b.left, b.top + b.height, dark),
            bottomAxis: ink(b.left, b.top + b.height, b.left + b.width, canvas.height, dark),
            right: Math.max(box.right, canvas.getBoundingClientRect().right),
            canvasWidth: canvas.getBoundingClientRect().width,
            figureWidth: box.width,
            title: !!title && title.getBoundingClientRect().width > 0 && title.textContent.length > 0,
          };
        }
        """;

    private static string Write(ReportModel model)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"zoptal-report-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, HtmlRenderer.Default.FileName(model));
        using (var writer = new StreamWriter(path))
            HtmlRenderer.Default.Render(model, writer);
        return path;
    }

    private static MetricHistograms Histograms(double medianMs)
    {
        var histogram = new LongHistogram(3_600_000_000, 3);
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
            histogram.RecordValue((long)(medianMs * 1000 * Math.Exp(0.4 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))));
        var payload = HdrLog.Encode(histogram);
        return new MetricHistograms(payload, payload, payload);
    }

    /// <summary>
    /// Two services (one with a scenario), a first second 20 times the rest (JIT warm-up), a stress phase, watched
    /// resources, three earlier runs of the base branch and a verdict per service: every chart the report has.
    /// </summary>
    private static ReportModel RichModel()
    {
        var auth = Service("auth", Metrics(6000, 0, 30, 40, 150, 220) with { Histograms = Histograms(40) }, null, Scenario("login", Metrics(3000, 0, 30, 45, 160, 230)));
        var project = Service("project", Metrics(4500, 30, 30, 200, 600, 900) with { Histograms = Histograms(200) });
        var run = Run(LoadPhase(auth, project), new PhaseSummary("stress", "ramping-vus", 100, 20, [auth, project]));
        var samples = Enumerable.Range(1, 30).Select(i => new ResourceSample(i, 40 + 10 * Math.Sin(i / 3.0), 200_000_000 + i * 1_000_000, 1.2, 30, 40)).ToList();
        var resource = ResourceSummary.Of("process", "sample platform", 16_000_000_000, samples);
        run = run with { Resources = [new WatchedResource("load", resource, WatchedResource.Grade(resource, ThresholdTable.Default), Gated: false)] };

        var rows = Series(run, 30, 120, seed: 5);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Second == 1 && rows[i].Phase == "load")
                rows[i] = rows[i] with { LatencyP50 = 900, LatencyP95 = 2400, LatencyP99 = 2400 };
            if (rows[i].Service == "project")
                rows[i] = rows[i] with { Errors = (long)rows[i].Second % 4 };
        }

        var series = RunSeries.From(rows);
        var history = Enumerable.Range(1, 3).Select(i =>
        {
            var earlier = Run(LoadPhase(Service("auth", Metrics(6000, 0, 30, 40, 140 + i, 210)), Service("project", Metrics(4500, 0, 30, 200, 500 + 10 * i, 800)))) with
            {
                RunId = $"2026112{2 + i}-120000-000000{i}",
                StartedAt = new DateTimeOffset(2026, 11, 22 + i, 12, 0, 0, TimeSpan.Zero),
                Git = new GitInfo($"000000{i}ffff", "main"),
            };
            return new HistoryEntry(earlier.RunId, earlier.StartedAt, earlier.Git.Commit, "main", null, false, earlier, RunSeries.From(Series(earlier, 30, 100, seed: 10 + i)));
        }).ToList();
        var regressions = RegressionAnalyzer.Compare(run, series, [.. history.Select(h => h.Series)], 10);
        return new ReportModel(run, GateEvaluator.Evaluate(run, new GateConfig(), null, regressions), new DateTimeOffset(2026, 11, 26, 12, 1, 0, TimeSpan.Zero))
        {
            Series = series,
            Baseline = new Baseline("3 runs of 'main' at or before the merge base 0000003", history),
            Regressions = regressions,
            Trend = history,
        };
    }
}
