using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Regression;

/// <summary>The runs a report compares with, and a sentence saying which they are (or why there are none).</summary>
public sealed record Baseline(string Description, IReadOnlyList<HistoryEntry> Runs)
{
    /// <summary>Whether there is anything to compare with.</summary>
    public bool Exists => Runs.Count > 0;
}

/// <summary>
/// Picks the baseline: the newest complete runs of the base branch at or before the pull request's merge base (as
/// Lighthouse CI compares with the ancestor build), never another pull request's runs. <c>--baseline</c> names a
/// run id or a branch instead.
/// </summary>
public static class BaselineSelector
{
    /// <summary>How many base-branch runs make a baseline: several, so one noisy run does not decide.</summary>
    public const int Runs = 5;

    private const int Candidates = 100;

    public static Baseline Select(IHistoryStore history, RunSummary current, string baseBranch, string? requested, string repositoryRoot)
    {
        if (requested is not null)
            return Requested(history, current, requested);

        var branch = baseBranch;
        var candidates = history.BranchRuns(branch, current.StartedAt, Candidates, withSeries: false).Where(r => r.RunId != current.RunId).ToList();
        if (candidates.Count == 0)
            return new Baseline($"no baseline: the history ({history.Description}) has no complete runs of '{branch}' before this one", []);

        var head = current.Git.Commit ?? GitInfoReader.Git(repositoryRoot, "rev-parse", "HEAD");
        var baseRef = BaseRef(repositoryRoot, branch);
        var mergeBase = head is null || baseRef is null ? null : GitInfoReader.Git(repositoryRoot, "merge-base", head, baseRef);
        if (mergeBase is null)
        {
            var newest = Load(history, candidates.Take(Runs));
            return new Baseline($"the newest {Count(newest.Count)} of '{branch}' (merge base unknown: git cannot see '{branch}' from this checkout; fetch it, e.g. fetch-depth: 0)", newest);
        }

        var chosen = candidates.Where(r => r.Commit is not null && GitInfoReader.IsAncestor(repositoryRoot, r.Commit, mergeBase)).Take(Runs).ToList();
        return chosen.Count == 0
            ? new Baseline($"no baseline: no run of '{branch}' at or before the merge base {mergeBase[..Math.Min(7, mergeBase.Length)]} (with {baseRef}) in the history ({history.Description})", [])
            : new Baseline($"{Count(chosen.Count)} of '{branch}' at or before the merge base {mergeBase[..Math.Min(7, mergeBase.Length)]} (with {baseRef})", Load(history, chosen));
    }

    // The ref the base branch is measured at: the local branch when it is at or ahead of origin's (a stale
    // origin/main must not hide the runs of a newer local main), origin's when the local one is behind, diverged or
    // missing (a CI checkout has only origin's); null when git knows neither.
    private static string? BaseRef(string root, string branch)
    {
        var local = GitInfoReader.Git(root, "rev-parse", "--verify", "-q", $"refs/heads/{branch}");
        var remote = GitInfoReader.Git(root, "rev-parse", "--verify", "-q", $"refs/remotes/origin/{branch}");
        if (local is null)
            return remote is null ? null : $"origin/{branch}";
        return remote is null || GitInfoReader.IsAncestor(root, remote, local) ? branch : $"origin/{branch}";
    }

    private static Baseline Requested(IHistoryStore history, RunSummary current, string requested)
    {
        if (requested == current.RunId)
            throw new InvalidParameterException($"Invalid value '{requested}' for parameter '--baseline': that is the run being reported; name an earlier run or a branch.");
        if (history.Find(requested) is { } run)
            return new Baseline($"run {requested} (--baseline)", [run]);
        var branchRuns = history.BranchRuns(requested, current.StartedAt, Runs, withSeries: true).Where(r => r.RunId != current.RunId).ToList();
        if (branchRuns.Count > 0)
            return new Baseline($"the newest {Count(branchRuns.Count)} of '{requested}' (--baseline)", branchRuns);
        throw new InvalidParameterException(
            $"Invalid value '{requested}' for parameter '--baseline': the history ({history.Description}) has no run with that id and no complete runs of a branch of that name.");
    }

    private static List<HistoryEntry> Load(IHistoryStore history, IEnumerable<HistoryEntry> entries) =>
        entries.Select(e => history.Find(e.RunId)).OfType<HistoryEntry>().ToList();

    private static string Count(int runs) => runs == 1 ? "1 run" : $"{runs} runs";
}
