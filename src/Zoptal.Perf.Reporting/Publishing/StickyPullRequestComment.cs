using System.Security.Cryptography;
using System.Text;
using Octokit;

namespace Zoptal.Perf.Reporting.Publishing;

/// <summary>When Report comments on the pull request.</summary>
public enum CommentMode
{
    /// <summary>Every run creates or updates the comment.</summary>
    Always,

    /// <summary>Only when the verdicts changed since the comment was last written (or there is none yet).</summary>
    OnChange,

    /// <summary>When the gate fails; an existing comment is still updated, so it never shows a stale failure.</summary>
    OnFailure,

    /// <summary>Never.</summary>
    Never,
}

/// <summary>Where to comment: the API, the repository and the pull request, and the token (never printed).</summary>
public sealed record GitHubTarget(Uri ApiUrl, string Owner, string Repository, int PullRequest, string Token)
{
    /// <summary>Prints without the token.</summary>
    public override string ToString() => $"{Owner}/{Repository}#{PullRequest} via {ApiUrl}";

    /// <summary>
    /// From GitHub Actions' values: <c>GITHUB_TOKEN</c>, <c>GITHUB_API_URL</c> (GitHub Enterprise; github.com's when
    /// null), <c>GITHUB_REPOSITORY</c>, and the pull request (<c>--pull-request</c>, or the event's). Null, with the
    /// reason, when something is missing.
    /// </summary>
    public static GitHubTarget? From(string? repository, string? token, string? apiUrl, int? pullRequest, out string? missing)
    {
        missing = null;
        if (pullRequest is null)
            missing = "not a pull request (no --pull-request, and GITHUB_EVENT_PATH names no pull request)";
        else if (repository?.Split('/') is not [{ Length: > 0 } owner, { Length: > 0 } name])
            missing = "GITHUB_REPOSITORY is not set to owner/name";
        else if (string.IsNullOrEmpty(token))
            missing = "GITHUB_TOKEN is not set";
        else if (!Uri.TryCreate(apiUrl ?? "https://api.github.com", UriKind.Absolute, out var api))
            missing = "GITHUB_API_URL is not an absolute URL";
        else
            return new GitHubTarget(api, owner, name, pullRequest.Value, token);
        return null;
    }
}

/// <summary>What happened to the comment.</summary>
public sealed record CommentOutcome(bool Posted, string Message);

/// <summary>
/// One comment per pull request, found by a hidden marker and updated in place on every run, never a second one
/// (the complaint about comment spam). A token that may not write (a fork's pull request: "Resource not accessible
/// by integration") gives a warning, not a failed gate: the gate's verdict is the exit code, the comment explains it.
/// </summary>
public sealed class StickyPullRequestComment(GitHubTarget target)
{
    /// <summary>The hidden marker that identifies our comment.</summary>
    public const string Marker = "<!-- zoptal-perf:report -->";

    private const string StatePrefix = "<!-- zoptal-perf:state ";

    /// <summary>
    /// Creates or updates the comment. <paramref name="state"/> is what on-change compares: the verdicts, not the
    /// timestamps, so a rerun with the same outcome leaves the comment alone.
    /// </summary>
    public async Task<CommentOutcome> PublishAsync(string markdown, string state, bool gatePassed, CommentMode mode, CancellationToken cancellationToken = default)
    {
        if (mode == CommentMode.Never)
            return new CommentOutcome(false, "PR comment: not posted (--comment never)");
        var client = new GitHubClient(new ProductHeaderValue("zoptal-perf"), target.ApiUrl) { Credentials = new Credentials(target.Token) };
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state)))[..16];
        var body = $"{Marker}\n{StatePrefix}{digest} -->\n{markdown}";
        try
        {
            var comments = await client.Issue.Comment.GetAllForIssue(target.Owner, target.Repository, target.PullRequest).WaitAsync(cancellationToken).ConfigureAwait(false);
            // Ours: the marker in a comment written by this token's account, never someone's quote of our comment.
            var author = await AuthorAsync(client, cancellationToken).ConfigureAwait(false);
            var existing = comments.FirstOrDefault(c => c.Body?.Contains(Marker, StringComparison.Ordinal) == true
                && string.Equals(c.User?.Login, author, StringComparison.OrdinalIgnoreCase));
            if (existing is null && mode == CommentMode.OnFailure && gatePassed)
                return new CommentOutcome(false, "PR comment: not posted (--comment on-failure, and the gate passed)");
            if (existing is not null && mode == CommentMode.OnChange && existing.Body!.Contains($"{StatePrefix}{digest} -->", StringComparison.Ordinal))
                return new CommentOutcome(false, $"PR comment: unchanged verdicts, left as it is ({existing.HtmlUrl})");
            if (existing is null)
            {
                var created = await client.Issue.Comment.Create(target.Owner, target.Repository, target.PullRequest, body).WaitAsync(cancellationToken).ConfigureAwait(false);
                return new CommentOutcome(true, $"PR comment: created on {target.Owner}/{target.Repository}#{target.PullRequest} ({created.HtmlUrl})");
            }

            var updated = await client.Issue.Comment.Update(target.Owner, target.Repository, existing.Id, body).WaitAsync(cancellationToken).ConfigureAwait(false);
            return new CommentOutcome(true, $"PR comment: updated on {target.Owner}/{target.Repository}#{target.PullRequest} ({updated.HtmlUrl})");
        }
        catch (ForbiddenException e)
        {
            return new CommentOutcome(false,
                $"warning: PR comment not posted: GitHub answered 403 ({e.Message}). A pull request from a fork gets a read-only token; post the comment from a workflow_run job instead. The gate's verdict stands.");
        }
        catch (ApiException e)
        {
            return new CommentOutcome(false, $"warning: PR comment not posted: GitHub answered {(int)e.StatusCode} ({e.Message}). The gate's verdict stands.");
        }
        catch (HttpRequestException e)
        {
            return new CommentOutcome(false, $"warning: PR comment not posted: {target.ApiUrl} cannot be reached ({e.Message}). The gate's verdict stands.");
        }
    }

    /// <summary>Who comments with GITHUB_TOKEN: the Actions app's bot; GET /user answers only for a user's token.</summary>
    public const string ActionsBot = "github-actions[bot]";

    // The account the token writes as: the user of a personal token, else (an installation token, which may not read
    // /user) the Actions bot.
    private static async Task<string> AuthorAsync(GitHubClient client, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.User.Current().WaitAsync(cancellationToken).ConfigureAwait(false)).Login;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ActionsBot; // 403 for an installation token; anything else unreadable: the Actions bot is the likely author
        }
    }
}
