using Zoptal.Build;

namespace Zoptal.Build.Tests;

public sealed class WorkflowGeneratorTests
{
    [GitHubActionsWorkflow("perf", OnPushBranches = ["main"], OnPullRequestBranches = ["main"])]
    [GitHubActionsJob("perf", "test", nameof(Test))]
    [GitHubActionsJob("perf", "bench", nameof(Bench), Needs = ["test"])]
    [GitHubActionsJob("perf", "report", nameof(Report), "Missing", Needs = ["bench"], Permissions = ["pull-requests: write"], EnableGitHubToken = true, ImportSecrets = ["SlackWebhook"],
        RunAfterFailedNeeds = true, KeepBetweenRuns = ["performance-results/history.db"])]
    private sealed class Pipeline : BuildHost
    {
        Target Test => _ => _.Produces("artifacts/test-results").Executes(() => { });
        Target Bench => _ => _.Produces("performance-results").Executes(() => { });
        Target Report => _ => _.Consumes(Bench).Executes(() => { });
    }

    private static GeneratedConfiguration Generate()
    {
        var build = new Pipeline();
        var targets = TargetFactory.Create(build);
        var attribute = typeof(Pipeline).GetCustomAttributes(typeof(GitHubActionsWorkflowAttribute), false).Cast<GitHubActionsWorkflowAttribute>().Single();
        return attribute.Generate(typeof(Pipeline), targets);
    }

    [Fact]
    public void Jobs_need_each_other_and_pass_artifacts_from_Produces_to_Consumes()
    {
        var workflow = Generate();
        Assert.Equal(".github/workflows/perf.yml", workflow.RelativePath);
        var yaml = workflow.Content;
        Assert.Contains("  bench:\n    name: bench\n    needs: [test]\n", yaml);
        Assert.Contains("  report:\n    name: report\n    needs: [bench]\n", yaml);
        Assert.Contains("      - name: 'Publish: test-results'\n        if: always()\n        uses: actions/upload-artifact@v5\n        with:\n          name: test-results\n          path: artifacts/test-results\n", yaml);
        Assert.Contains("      - name: 'Download: performance-results'\n        uses: actions/download-artifact@v5\n        with:\n          name: performance-results\n          path: performance-results\n", yaml);
        Assert.Contains("    permissions:\n      contents: read\n      pull-requests: write\n", yaml);
        Assert.Contains("key: ${{ runner.os }}-${{ hashFiles('global.json', '**/*.csproj', 'Directory.Packages.props') }}", yaml);
    }

    [Fact]
    // As in Nuke: the variable is named like the parameter it binds, the secret in upper snake case.
    public void The_token_and_secrets_are_passed_only_to_the_job_that_asks_for_them()
    {
        var yaml = Generate().Content;
        Assert.Single(yaml.Split('\n'), l => l.Contains("GITHUB_TOKEN:"));
        var report = yaml[yaml.IndexOf("  report:", StringComparison.Ordinal)..];
        Assert.Contains("        env:\n          SlackWebhook: ${{ secrets.SLACK_WEBHOOK }}\n          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n", report);
    }

    [Fact]
    public void A_report_job_runs_after_a_failed_need_and_keeps_its_history_per_branch_saved_only_by_pushes()
    {
        var yaml = Generate().Content;
        Assert.Contains("  report:\n    name: report\n    needs: [bench]\n    if: ${{ !cancelled() }}\n", yaml);
        Assert.DoesNotContain("  bench:\n    name: bench\n    needs: [test]\n    if:", yaml);
        var restore = yaml.IndexOf("      - name: 'Restore: performance-results/history.db'\n        uses: actions/cache/restore@v4\n", StringComparison.Ordinal);
        var download = yaml.IndexOf("      - name: 'Download: performance-results'", StringComparison.Ordinal);
        var run = yaml.IndexOf("      - name: 'Run: Report, Missing'", StringComparison.Ordinal);
        var save = yaml.IndexOf("      - name: 'Save: performance-results/history.db'\n        if: ${{ !cancelled() && github.event_name != 'pull_request' }}\n        uses: actions/cache/save@v4\n", StringComparison.Ordinal);
        Assert.True(download < restore && restore < run && run < save, yaml);
        Assert.Contains("          restore-keys: |\n            report-kept-${{ github.base_ref || github.ref_name }}-\n", yaml);
        Assert.Contains("          key: report-kept-${{ github.ref_name }}-${{ github.run_id }}\n", yaml);
        Assert.Single(yaml.Split('\n'), l => l.Contains("actions/cache/restore@v4"));
    }

    [Fact]
    public void A_job_that_invokes_an_undefined_target_is_reported()
    {
        var workflow = Generate();
        Assert.Contains("Job 'report' invokes 'Missing', which this build does not define yet.", workflow.Warnings);
    }
}
