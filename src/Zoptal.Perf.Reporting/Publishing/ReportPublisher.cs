using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Perf.Reporting.Publishing;

/// <summary>Where Report publishes on GitHub: the job summary file and the pull request, from the host's GitHub Actions context.</summary>
public sealed record PublishRequest(CommentMode Comment, int? PullRequest, string? Repository, string? Token, string? ApiUrl, string? StepSummaryFile);

/// <summary>A line for the build log: a warning (a comment GitHub refused) or information.</summary>
public sealed record PublishMessage(bool Warning, string Text);

/// <summary>
/// Publishes a report: appends its Markdown (masked) to the job summary, and creates or updates the sticky pull request
/// comment as <see cref="CommentMode"/> says, or says why it did not.
/// </summary>
public static class ReportPublisher
{
    public static async Task<IReadOnlyList<PublishMessage>> PublishAsync(ReportOutcome outcome, PublishRequest request, SecretMasker masker, CancellationToken cancellation)
    {
        if (request.StepSummaryFile is { } stepSummary)
            File.AppendAllText(stepSummary, masker.Apply(outcome.Markdown) + Environment.NewLine);
        if (request.Comment == CommentMode.Never)
            return [];
        if (GitHubTarget.From(request.Repository, request.Token, request.ApiUrl, request.PullRequest, out var missing) is not { } target)
            return [new PublishMessage(false, $"PR comment: not posted: {missing}")];
        var comment = await new StickyPullRequestComment(target)
            .PublishAsync(outcome.Markdown, outcome.Model.VerdictState(), outcome.Gate.Passed, request.Comment, cancellation);
        // A warning is logged as one, which GitHub shows as an annotation: the word is not repeated in the text.
        const string warning = "warning:";
        return comment.Message.StartsWith(warning, StringComparison.Ordinal)
            ? [new PublishMessage(true, comment.Message[warning.Length..].TrimStart())]
            : [new PublishMessage(false, comment.Message)];
    }
}
