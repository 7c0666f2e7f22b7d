using Zoptal.Build;

// The pipeline: test on every pull request and push to main, then the benchmark, then the report that gates
// and comments on the pull request. Benchmark and Report arrive with their own issues (#4, #5).
[GitHubActionsWorkflow("performance", OnPushBranches = ["main"], OnPullRequestBranches = ["main"], OnWorkflowDispatch = true)]
[GitHubActionsJob("performance", "test", nameof(Test), TimeoutMinutes = 30)]
[GitHubActionsJob("performance", "benchmark", "Benchmark", Needs = ["test"], Produces = ["performance-results"], TimeoutMinutes = 60)]
[GitHubActionsJob("performance", "report", "Report", Needs = ["benchmark"], Consumes = ["performance-results"],
    Permissions = ["pull-requests: write"], EnableGitHubToken = true, TimeoutMinutes = 15)]
partial class Build;
