using System.Text;
using System.Text.Json;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Reporting.Data;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Reporting.Renderers;
using Zoptal.Perf.Runs.Results;

namespace Zoptal.Perf.Reporting;

/// <summary>What Report is asked to do.</summary>
/// <param name="ResultsRoot">The results folder (performance-results/).</param>
/// <param name="Gate">The config's gate section.</param>
/// <param name="Now">When the report is made.</param>
public sealed record ReportRequest(string ResultsRoot, GateConfig Gate, DateTimeOffset Now)
{
    /// <summary>The run by id; null for the newest.</summary>
    public string? RunId { get; init; }

    /// <summary><c>--fail-on</c>, overriding the config's policy.</summary>
    public GateFailOn? FailOn { get; init; }

    /// <summary>The config's results section; null reports without history (no baseline, no trends, nothing recorded).</summary>
    public ResultsConfig? Results { get; init; }

    /// <summary><c>--baseline</c>: a run id or a branch; null picks the base branch's runs at the merge base.</summary>
    public string? Baseline { get; init; }

    /// <summary>The git working tree, for the merge base.</summary>
    public string RepositoryRoot { get; init; } = ".";

    /// <summary>The pull request the run belongs to (its runs are never a baseline); null when not a pull request.</summary>
    public int? PullRequest { get; init; }

    /// <summary>The secrets to mask in every file and in the history; null: the process's shared masker.</summary>
    public SecretMasker? Masker { get; init; }
}

/// <summary>What Report produced: the files, the gate's verdict, the model they were made of, and the Markdown (for the PR comment and job summary).</summary>
public sealed record ReportOutcome(string RunPath, ReportModel Model, IReadOnlyList<string> Files, string Markdown, string? HistoryDescription)
{
    /// <summary>The gate's verdict.</summary>
    public GateResult Gate => Model.Gate;
}

/// <summary>
/// Report: reads a run (the newest, or one by id), picks its baseline from the history store, decides regressions,
/// applies the gate policy, writes every renderer's file into the run's folder and into the results folder as the
/// platform's guide names them, and records the run in the history.
/// </summary>
public static class ReportSession
{
    /// <summary>How many of the base branch's runs the trend charts show.</summary>
    public const int TrendRuns = 30;

    /// <summary>The renderers, in the order their files are written.</summary>
    public static IReadOnlyList<IReportRenderer> Renderers { get; } = [MarkdownRenderer.Default, JsonRenderer.Default, JUnitRenderer.Default, HtmlRenderer.Default];

    public static ReportOutcome Run(ReportRequest request)
    {
        var runPath = FindRun(request.ResultsRoot, request.RunId);
        var summary = Read(Path.Combine(runPath, "summary.json"));
        var series = ReadSeries(Path.Combine(runPath, "timeseries.csv"));
        Baseline? baseline = null;
        IReadOnlyList<RegressionResult> regressions = [];
        IReadOnlyList<HistoryEntry> trend = [];
        // A history that cannot be opened (a PostgreSQL server down) does not cost the reports: they are written
        // without a baseline, and Report fails afterwards (exit 1) instead of gating without its comparison.
        RunFailedException? historyFailure = null;
        IHistoryStore? opened = null;
        try
        {
            opened = request.Results is null ? null : HistoryStores.Open(request.Results, request.ResultsRoot);
        }
        catch (RunFailedException e)
        {
            historyFailure = e;
            baseline = new Baseline($"none: {e.Message}", []);
        }

        using var history = opened;
        if (history is not null)
        {
            baseline = BaselineSelector.Select(history, summary, request.Gate.BaseBranch, request.Baseline, request.RepositoryRoot);
            regressions = RegressionAnalyzer.Compare(summary, series, [.. baseline.Runs.Select(r => r.Series)], request.Gate.MinimumEffectPercent);
            var trendBranch = Environment.GetEnvironmentVariable("GITHUB_BASE_REF") is { Length: > 0 } target ? target : request.Gate.BaseBranch;
            trend = [.. history.BranchRuns(trendBranch, summary.StartedAt, TrendRuns, withSeries: false).Where(r => r.RunId != summary.RunId).Reverse()];
        }

        var model = new ReportModel(summary, GateEvaluator.Evaluate(summary, request.Gate, request.FailOn, regressions), request.Now)
        {
            Series = series,
            Baseline = baseline,
            Regressions = regressions,
            Trend = trend,
            OptimizationReport = Directory.Exists(request.ResultsRoot)
                ? Directory.GetFiles(request.ResultsRoot, "optimization-report-*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal).LastOrDefault()
                : null,
        };
        var files = new List<string>();
        var markdown = string.Empty;
        var masker = request.Masker ?? SecretMasker.Shared;
        foreach (var renderer in Renderers)
        {
            var writer = new StringWriter();
            renderer.Render(model, writer);
            // The run's summary was masked when it was written; this catches what Report adds (config, history).
            var text = masker.Apply(writer.ToString());
            if (renderer is MarkdownRenderer)
                markdown = text;
            var name = renderer.FileName(model);
            foreach (var folder in new[] { runPath, request.ResultsRoot })
            {
                var path = Path.Combine(folder, name);
                RunDirectory.WriteFile(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
                files.Add(path);
            }
        }

        // Recorded after the baseline was chosen, and after the files are written: a run is never its own baseline,
        // and a store that fails now (a full disk) costs the record, not the reports.
        try
        {
            history?.Record(summary, series, request.PullRequest, masker);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException)
        {
            throw new RunFailedException($"The reports were written ({string.Join(", ", files.Select(Path.GetFileName).Distinct())}), but the run could not be recorded in the history {history!.Description}: {e.Message}");
        }

        if (historyFailure is not null)
            throw new RunFailedException($"{historyFailure.Message.TrimEnd('.')}. The reports were written without a baseline: {string.Join(", ", files.Select(Path.GetFileName).Distinct())}.");
        return new ReportOutcome(runPath, model, files, markdown, history?.Description);
    }

    private static RunSeries ReadSeries(string path)
    {
        try
        {
            return RunSeries.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw new RunFailedException(e.Message);
        }
    }

    private static string FindRun(string resultsRoot, string? runId)
    {
        if (runId is not null)
        {
            var path = Path.Combine(resultsRoot, runId);
            if (runId.Contains('/') || runId.Contains('\\') || !File.Exists(Path.Combine(path, "summary.json")))
            {
                var known = Directory.Exists(resultsRoot)
                    ? Directory.GetDirectories(resultsRoot).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('.') && n != "latest"
                        && File.Exists(Path.Combine(resultsRoot, n, "summary.json"))).OrderDescending().Take(5).ToList()
                    : [];
                throw new InvalidParameterException($"Invalid value '{runId}' for parameter '--run': no run with that id in {resultsRoot}. "
                    + (known.Count == 0 ? "There are no runs yet: run ./build.sh LoadTest or Benchmark first." : $"Newest runs: {string.Join(", ", known)}."));
            }

            return path;
        }

        var latest = Path.Combine(resultsRoot, "latest");
        var target = File.Exists(latest) && new FileInfo(latest).LinkTarget is null ? File.ReadAllText(latest).Trim() : new FileInfo(latest).LinkTarget;
        if (target is null || !File.Exists(Path.Combine(resultsRoot, target, "summary.json")))
            throw new InvalidParameterException($"No run to report on: {Path.Combine(resultsRoot, "latest")} does not name a complete run. Run ./build.sh LoadTest or Benchmark first, or name a run with --run.");
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
