using System.Diagnostics;

namespace Zoptal.Perf.Results;

/// <summary>The commit and branch the run measured.</summary>
public sealed record GitInfo(string? Commit, string? Branch);

/// <summary>
/// The commit and branch of the working tree, and ancestry for baselines. What the CI server says (the build host's
/// GitHub Actions context: <c>GITHUB_SHA</c>, the pull request's head branch or the ref name) comes first, because a
/// CI checkout is a detached HEAD; the working tree answers the rest.
/// </summary>
public static class GitInfoReader
{
    /// <summary>The commit and branch: <paramref name="ci"/>'s values where it has them, git's otherwise.</summary>
    public static GitInfo Read(string root, GitInfo? ci = null) => new(
        ci?.Commit ?? Git(root, "rev-parse", "HEAD"),
        ci?.Branch ?? Git(root, "rev-parse", "--abbrev-ref", "HEAD"));

    /// <summary>Whether <paramref name="commit"/> is <paramref name="descendant"/> or one of its ancestors.</summary>
    public static bool IsAncestor(string root, string commit, string descendant) =>
        commit == descendant || Run(root, "merge-base", "--is-ancestor", commit, descendant).ExitCode == 0;

    /// <summary>The output of a git command in <paramref name="root"/>, or null when it fails or prints nothing.</summary>
    public static string? Git(string root, params string[] arguments) => Run(root, arguments) is (0, { Length: > 0 } output) ? output : null;

    private static (int ExitCode, string Output) Run(string root, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in arguments)
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(5000);
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, string.Empty); // no git
        }
    }
}
