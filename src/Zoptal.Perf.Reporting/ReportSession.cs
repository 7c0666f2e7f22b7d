using System.Text;
using System.Text.Json;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.Renderers;
using Zoptal.Perf.Runs.Results;

namespace Zoptal.Perf.Reporting;

/// <summary>What Report produced: the files, the gate's verdict, and the Markdown (for the job summary).</summary>
public sealed record ReportOutcome(string RunPath, GateResult Gate, IReadOnlyList<string> Files, string Markdown, string? HistoryPath);

/// <summary>
/// Report: reads a run's summary.json (the newest, or one by id), applies the gate policy, and writes every
/// renderer's file into the run's folder and into the results folder as the platform's guide names them.
/// </summary>
public static class ReportSession
{
    /// <summary>The renderers, in the order their files are written.</summary>
    public static IReadOnlyList<IReportRenderer> Renderers { get; } = [MarkdownRenderer.Default, JsonRenderer.Default, JUnitRenderer.Default];

    public static ReportOutcome Run(string resultsRoot, string? runId, GateConfig gate, GateFailOn? failOn, DateTimeOffset now, ResultsConfig? results = null)
    {
        var runPath = FindRun(resultsRoot, runId);
        var summary = Read(Path.Combine(runPath, "summary.json"));
        var model = new ReportModel(summary, GateEvaluator.Evaluate(summary, gate, failOn), now);
        var files = new List<string>();
        string markdown = "";
        foreach (var renderer in Renderers)
        {
            var writer = new StringWriter();
            renderer.Render(model, writer);
            var text = writer.ToString();
            if (renderer is MarkdownRenderer)
                markdown = text;
            var name = renderer.FileName(model);
            foreach (var folder in new[] { runPath, resultsRoot })
            {
                var path = Path.Combine(folder, name);
                RunDirectory.WriteFile(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
                files.Add(path);
            }
        }

        // Every reported run goes into the history (SQLite in the results folder; the PostgreSQL store is still to come).
        string? historyPath = null;
        if (results is not null)
        {
            historyPath = Path.Combine(resultsRoot, results.HistoryPath);
            using var history = new History.SqliteHistoryStore(historyPath);
            history.Record(summary, PullRequestNumber());
        }

        return new ReportOutcome(runPath, model.Gate, files, markdown, historyPath);
    }

    // GitHub Actions names a pull request's merge ref refs/pull/<n>/merge.
    private static int? PullRequestNumber() =>
        Environment.GetEnvironmentVariable("GITHUB_REF") is { } reference && reference.StartsWith("refs/pull/", StringComparison.Ordinal)
        && int.TryParse(reference.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string FindRun(string resultsRoot, string? runId)
    {
        if (runId is not null)
        {
            var path = Path.Combine(resultsRoot, runId);
            if (runId.Contains('/') || runId.Contains('\\') || !File.Exists(Path.Combine(path, "summary.json")))
            {
                var known = Directory.Exists(resultsRoot)
                    ? Directory.GetDirectories(resultsRoot).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.') && n != "latest").OrderDescending().Take(5)
                    : [];
                throw new InvalidParameterException($"Invalid value '{runId}' for parameter '--run': no run with that id in {resultsRoot}. Newest runs: {string.Join(", ", known)}.");
            }

            return path;
        }

        var latest = Path.Combine(resultsRoot, "latest");
        var target = File.Exists(latest) && new FileInfo(latest).LinkTarget is null ? File.ReadAllText(latest).Trim() : new FileInfo(latest).LinkTarget;
        if (target is null || !File.Exists(Path.Combine(resultsRoot, target, "summary.json")))
            throw new RunFailedException($"No run to report on: {Path.Combine(resultsRoot, "latest")} does not name a complete run. Run ./build.sh LoadTest or Benchmark first.");
        return Path.Combine(resultsRoot, target);
    }

    private static RunSummary Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var version = document.RootElement.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out var n) ? n : 0;
        if (version != RunSummary.CurrentSchemaVersion)
            throw new RunFailedException($"{path} has schema version {version}; this Report reads version {RunSummary.CurrentSchemaVersion}.");
        return document.RootElement.Deserialize<RunSummary>(RunDirectory.Json)
            ?? throw new RunFailedException($"{path} is empty.");
    }
}
