using System.Diagnostics;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>Baseline selection against a real git repository: main with three commits, a branch off the second.</summary>
public sealed class BaselineTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("zoptal-git-").FullName;
    private readonly SqliteHistoryStore _history;
    private readonly string _c1;
    private readonly string _c2;
    private readonly string _c3;
    private readonly string _feature;

    public BaselineTests()
    {
        Git("init", "-q", "-b", "main");
        _c1 = Commit("one");
        _c2 = Commit("two");
        _c3 = Commit("three");
        Git("checkout", "-q", "-b", "feature", _c2);
        _feature = Commit("feature work");
        _history = new SqliteHistoryStore(Path.Combine(_repo, "history.db"));
    }

    public void Dispose()
    {
        _history.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_repo, recursive: true);
    }

    private RunSummary Run(string id, int minute, string commit, string branch) => Runs.Mixed() with
    {
        RunId = id,
        StartedAt = new DateTimeOffset(2026, 11, 26, 12, minute, 0, TimeSpan.Zero),
        Git = new GitInfo(commit, branch),
    };

    private void Record(string id, int minute, string commit, string branch, int? pullRequest = null) =>
        _history.Record(Run(id, minute, commit, branch), RunSeries.Empty, pullRequest);

    [Fact]
    public void A_pull_request_is_compared_with_main_at_its_merge_base_never_with_later_main_or_other_pull_requests()
    {
        Record("main-1", 1, _c1, "main");
        Record("main-2", 2, _c2, "main");
        Record("main-3", 3, _c3, "main");           // after the merge base: not what the branch was made from
        Record("other-pr", 4, _c2, "main", 99);     // another pull request's run
        var current = Run("pr", 10, _feature, "feature");

        var baseline = BaselineSelector.Select(_history, current, "main", null, _repo);
        Assert.Equal(["main-2", "main-1"], baseline.Runs.Select(r => r.RunId));
        Assert.Contains($"merge base {_c2[..7]}", baseline.Description);
    }

    [Fact]
    public void A_run_on_main_is_compared_with_main_before_it()
    {
        Git("checkout", "-q", "main");
        Record("main-1", 1, _c1, "main");
        Record("main-2", 2, _c2, "main");
        var baseline = BaselineSelector.Select(_history, Run("main-3", 3, _c3, "main"), "main", null, _repo);
        Assert.Equal(["main-2", "main-1"], baseline.Runs.Select(r => r.RunId));
    }

    [Fact]
    public void A_stale_origin_branch_does_not_hide_the_runs_of_a_newer_local_branch_and_the_ref_used_is_named()
    {
        Git("update-ref", "refs/remotes/origin/main", _c1); // fetched long ago
        Git("checkout", "-q", "main");
        Record("main-2", 2, _c2, "main");
        Record("main-3", 3, _c3, "main");
        var baseline = BaselineSelector.Select(_history, Run("main-4", 4, _c3, "main"), "main", null, _repo);
        Assert.Equal(["main-3", "main-2"], baseline.Runs.Select(r => r.RunId));
        Assert.Contains($"merge base {_c3[..7]} (with main)", baseline.Description);

        // A CI checkout: origin's branch ahead of a local one that is behind: origin's is used.
        Git("update-ref", "refs/remotes/origin/main", _c3);
        Git("checkout", "-q", "feature");
        Git("branch", "-f", "main", _c1);
        var pr = BaselineSelector.Select(_history, Run("pr", 10, _feature, "feature"), "main", null, _repo);
        Assert.Equal(["main-2"], pr.Runs.Select(r => r.RunId));
        Assert.Contains($"merge base {_c2[..7]} (with origin/main)", pr.Description);
    }

    [Fact]
    public void Without_runs_of_the_base_branch_there_is_no_baseline_and_it_says_why()
    {
        Record("other-pr", 4, _c2, "main", 99);
        var baseline = BaselineSelector.Select(_history, Run("pr", 10, _feature, "feature"), "main", null, _repo);
        Assert.False(baseline.Exists);
        Assert.Contains("no complete runs of 'main'", baseline.Description);
    }

    [Fact]
    public void Baseline_names_a_run_or_a_branch_and_anything_else_is_a_usage_error()
    {
        Record("main-1", 1, _c1, "main");
        Record("release-1", 2, _c2, "release/1.0");
        var current = Run("pr", 10, _feature, "feature");
        Assert.Equal(["main-1"], BaselineSelector.Select(_history, current, "main", "main-1", _repo).Runs.Select(r => r.RunId));
        Assert.Equal(["release-1"], BaselineSelector.Select(_history, current, "main", "release/1.0", _repo).Runs.Select(r => r.RunId));
        var error = Assert.Throws<InvalidParameterException>(() => BaselineSelector.Select(_history, current, "main", "mian", _repo));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains("'--baseline'", error.Message);
        Assert.Throws<InvalidParameterException>(() => BaselineSelector.Select(_history, current, "main", "pr", _repo));
    }

    private string Commit(string message)
    {
        File.WriteAllText(Path.Combine(_repo, "file.txt"), message);
        Git("add", "file.txt");
        Git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD");
    }

    private string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)}: {process.StandardError.ReadToEnd()}");
        return output;
    }
}
