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
            var pullRequest = PullRequestNumber();
            var outcome = ReportSession.Run(new ReportRequest(config.ResultsRoot, config.Gate, DateTimeOffset.UtcNow)
            {
                RunId = ReportRun,
                FailOn = FailOn,
                Results = config.Results,
                Baseline = Baseline,
                RepositoryRoot = RootDirectory,
                PullRequest = pullRequest,
                PullRequestBase = GitHubActions.BaseRef,
                Masker = Secrets,
            });
            foreach (var line in outcome.Describe(RootDirectory))
                Log.Information(line);
            foreach (var warning in outcome.Warnings)
                Log.Warning(warning);
            ReportSummary("Run", Path.GetFileName(outcome.RunPath));
            ReportSummary("Gate", $"{(outcome.Gate.Passed ? "passed" : "FAILED")} (fail on {outcome.Gate.Policy.ToString().ToLowerInvariant()})");
            var publish = new PublishRequest(Comment, pullRequest, GitHubActions.Repository, GitHubActions.Token, GitHubActions.ApiUrl, GitHubActions.StepSummaryFile);
            foreach (var message in await ReportPublisher.PublishAsync(outcome, publish, Secrets, cancellation))
                (message.Warning ? (Action<string>)Log.Warning : Log.Information)(message.Text);
            if (outcome.Error is { } error)
                throw error;
        });

    int? PullRequestNumber() => PullRequest is < 1
        ? throw new InvalidParameterException($"Invalid value '{PullRequest}' for parameter '--pull-request': expected a pull request's number, 1 or more.")
        : PullRequest ?? GitHubActions.PullRequestNumber;
}
