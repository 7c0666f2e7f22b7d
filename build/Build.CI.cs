using Zoptal.Build;

// The pipeline: test on every pull request and push to main, then the benchmark, then the report that gates and
// comments on the pull request; its HTML, Markdown, JSON and JUnit files are the performance-report artifact. The
// SQLite history (results.history.store: sqlite) is kept between runs in GitHub's cache, per branch, so pull
// requests find their base branch's runs as a baseline without a server.
[GitHubActionsWorkflow("performance", OnPushBranches = ["main"], OnPullRequestBranches = ["main"], OnWorkflowDispatch = true)]
[GitHubActionsJob("performance", "test", nameof(Test), TimeoutMinutes = 30)]
[GitHubActionsJob("performance", "benchmark", nameof(Benchmark), Needs = ["test"], Produces = ["performance-results"], TimeoutMinutes = 60)]
[GitHubActionsJob("performance", "report", nameof(Report), Needs = ["benchmark"], Consumes = ["performance-results"],
    Produces = ["performance-report=performance-results/*_2*.*"], Permissions = ["pull-requests: write"], EnableGitHubToken = true, RunAfterFailedNeeds = true,
    KeepBetweenRuns = ["performance-results/history.db"], TimeoutMinutes = 15)]
partial class Build;
