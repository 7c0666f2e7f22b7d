using Zoptal.Build;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting;
using Zoptal.Perf.Reporting.Publishing;

partial class Build
{
    [Parameter("The run to report on, by id (a folder of performance-results/). Default: the newest (latest)", Name = "run")]
    readonly string? ReportRun;

    [Parameter("Gate policy, overriding perf-config.yml's gate.failOn: critical, warning, regression or never")]
    readonly GateFailOn? FailOn;

    [Parameter("What to compare with: a run id or a branch. Default: the base branch's runs at or before the merge base")]
    readonly string? Baseline;

    [Parameter("When to comment on the pull request: always, on-change, on-failure or never")]
    readonly CommentMode Comment = CommentMode.Always;

    [Parameter("The pull request to comment on. Default: from GITHUB_EVENT_PATH")]
    readonly int? PullRequest;

    Target Report => _ => _
        .Description("The release gate: grades the run, compares it with its baseline, writes HTML, Markdown, JSON and JUnit, comments on the PR, exits 99 when the gate fails")
        .Executes(async cancellation =>
        {
            var config = LoadSettings().Config;
            var resultsRoot = config.ResultsRoot;
            if (PullRequest is < 1)
                throw new InvalidParameterException($"Invalid value '{PullRequest}' for parameter '--pull-request': expected a pull request's number, 1 or more.");
            var pullRequest = PullRequest ?? GitHubActions.PullRequestNumber;
            var outcome = ReportSession.Run(new ReportRequest(resultsRoot, config.Gate, DateTimeOffset.UtcNow)
            {
                RunId = ReportRun,
                FailOn = FailOn,
                Results = config.Results,
                Baseline = Baseline,
                RepositoryRoot = RootDirectory,
                PullRequest = pullRequest,
                Masker = Secrets,
            });
            Log.Information($"baseline: {outcome.Model.Baseline?.Description}");
            foreach (var regression in outcome.Model.Regressions.Where(r => r.Scenario is null))
                Log.Information($"{regression.Name}: {Zoptal.Perf.Reporting.Renderers.MarkdownRenderer.VerdictText(regression)} ({regression.Method})");
            if (outcome.HistoryDescription is { } history)
                Log.Information($"recorded the run in the history ({history})");
            foreach (var file in outcome.Files)
                Log.Information($"wrote {Path.GetRelativePath(RootDirectory, file)}");
            foreach (var note in outcome.Gate.Notes)
                Log.Information(note);
            ReportSummary("Run", Path.GetFileName(outcome.RunPath));
            ReportSummary("Gate", $"{(outcome.Gate.Passed ? "passed" : "FAILED")} (fail on {outcome.Gate.Policy.ToString().ToLowerInvariant()})");
            if (GitHubActions.StepSummaryFile is { } stepSummary)
                File.AppendAllText(stepSummary, Secrets.Apply(outcome.Markdown) + Environment.NewLine);

            if (Comment != CommentMode.Never)
            {
                if (GitHubTarget.From(GitHubActions.Repository, GitHubActions.Token, GitHubActions.ApiUrl, pullRequest, out var missing) is { } target)
                {
                    var comment = await new StickyPullRequestComment(target)
                        .PublishAsync(outcome.Markdown, outcome.Model.VerdictState(), outcome.Gate.Passed, Comment, cancellation);
                    if (comment.Message.StartsWith("warning:", StringComparison.Ordinal))
                        Log.Warning(comment.Message);
                    else
                        Log.Information(comment.Message);
                }
                else
                {
                    Log.Information($"PR comment: not posted: {missing}");
                }
            }

            if (!outcome.Gate.Passed)
                throw new GateFailedException($"The performance gate failed ({outcome.Gate.Reasons.Count} reason(s)):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", outcome.Gate.Reasons)}");
        });
}
