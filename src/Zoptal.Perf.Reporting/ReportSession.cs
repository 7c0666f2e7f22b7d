using System.Text;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Reporting.Renderers;
using Zoptal.Perf.Results;

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

    /// <summary>The branch the pull request merges into (the host's <c>GITHUB_BASE_REF</c>); null: <c>gate.baseBranch</c>.</summary>
    public string? PullRequestBase { get; init; }

    /// <summary>The secrets to mask in every file and in the history; null: the process's shared masker.</summary>
    public SecretMasker? Masker { get; init; }
}

/// <summary>What Report produced: the files, the gate's verdict, the model they were made of, and the Markdown (for the PR comment and job summary).</summary>
public sealed record ReportOutcome(string RunPath, ReportModel Model, IReadOnlyList<string> Files, string Markdown, string? HistoryDescription)
{
    /// <summary>The gate's verdict.</summary>
    public GateResult Gate => Model.Gate;

    /// <summary>What the target throws when the gate failed (exit code 99, after every file is written); null when it passed.</summary>
    public GateFailedException? Error => Gate.Passed ? null
        : new GateFailedException($"The performance gate failed ({Gate.Reasons.Count} reason(s)):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", Gate.Reasons)}");

    /// <summary>
    /// What the target logs as warnings (annotations on GitHub): every service or scenario slower than its baseline,
    /// whether or not the gate's policy fails on it.
    /// </summary>
    public IEnumerable<string> Warnings => Gate.Items.Where(i => i.Kind == GateItemKind.Regression && i.Effect != GateEffect.Info).Select(i => i.Text);

    /// <summary>The lines the target logs: the baseline, the service verdicts, the history, the files written (relative to <paramref name="root"/>), the gate's notes.</summary>
    public IEnumerable<string> Describe(string root) =>
    [
        $"baseline: {Model.Baseline?.Description}",
        .. Model.Regressions.Where(r => r.Scenario is null).Select(r => $"{r.Name}: {MarkdownRenderer.VerdictText(r)} ({r.Method})"),
        .. HistoryDescription is { } history ? [$"recorded the run in the history ({history})"] : Array.Empty<string>(),
        .. Files.Select(f => $"wrote {Path.GetRelativePath(root, f)}"),
        .. Gate.Notes,
    ];
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
        var runPath = ResultsFolder.Find(request.ResultsRoot, request.RunId);
        var summary = ResultsFolder.ReadSummary(runPath);
        var series = ResultsFolder.ReadSeries(runPath);
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
        }

        using var history = opened;
        var model = Model(request, summary, series, history, historyFailure);
        var masker = request.Masker ?? SecretMasker.Shared;
        var (files, markdown) = Write(model, runPath, request.ResultsRoot, masker);

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

    // The run compared with its baseline and trend (from the history, when there is one) and gated.
    private static ReportModel Model(ReportRequest request, RunSummary summary, RunSeries series, IHistoryStore? history, RunFailedException? historyFailure)
    {
        var baseline = historyFailure is null ? null : new Baseline($"none: {historyFailure.Message}", []);
        IReadOnlyList<RegressionResult> regressions = [];
        IReadOnlyList<HistoryEntry> trend = [];
        if (history is not null)
        {
            // A pull request compares with, and trends along, the branch it merges into; other runs with gate.baseBranch.
            var baseBranch = request.PullRequestBase ?? request.Gate.BaseBranch;
            baseline = BaselineSelector.Select(history, summary, baseBranch, request.Baseline, request.RepositoryRoot);
            regressions = RegressionAnalyzer.Compare(summary, series, [.. baseline.Runs.Select(r => r.Series)], request.Gate.MinimumEffectPercent);
            trend = [.. history.BranchRuns(baseBranch, summary.StartedAt, TrendRuns, withSeries: false).Where(r => r.RunId != summary.RunId).Reverse()];
        }

        return new ReportModel(summary, GateEvaluator.Evaluate(summary, request.Gate, request.FailOn, regressions), request.Now)
        {
            Series = series,
            Baseline = baseline,
            Regressions = regressions,
            Trend = trend,
            OptimizationReport = Directory.Exists(request.ResultsRoot)
                ? Directory.GetFiles(request.ResultsRoot, "optimization-report-*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal).LastOrDefault()
                : null,
        };
    }

    // Every renderer's file, masked, into the run's folder and into the results folder; and the Markdown, for the PR comment.
    private static (List<string> Files, string Markdown) Write(ReportModel model, string runPath, string resultsRoot, SecretMasker masker)
    {
        var files = new List<string>();
        var markdown = string.Empty;
        foreach (var renderer in Renderers)
        {
            var writer = new StringWriter();
            renderer.Render(model, writer);
            // The run's summary was masked when it was written; this catches what Report adds (config, history).
            var text = masker.Apply(writer.ToString());
            if (renderer is MarkdownRenderer)
                markdown = text;
            foreach (var folder in new[] { runPath, resultsRoot })
            {
                var path = Path.Combine(folder, renderer.FileName(model));
                Zoptal.Perf.Core.IO.AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
                files.Add(path);
            }
        }

        return (files, markdown);
    }
}
