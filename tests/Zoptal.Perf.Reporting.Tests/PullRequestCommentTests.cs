using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;
using Zoptal.Perf.Reporting.Publishing;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>
/// The sticky comment against a local fake of the GitHub API (WireMock.Net on loopback, the one stand-in allowed):
/// it keeps the pull request's comments like GitHub does, so create, find and update are the real calls.
/// </summary>
public sealed class PullRequestCommentTests : IDisposable
{
    private const string Token = "ghs_fake-token-that-must-never-be-printed";
    private readonly WireMockServer _github;
    private readonly List<JsonObject> _comments = [new JsonObject { ["id"] = 1, ["body"] = "LGTM, a human comment", ["html_url"] = "http://x/1", ["user"] = User("alice") }];
    private readonly List<string> _authorizations = [];
    private bool _readOnly;

    public PullRequestCommentTests()
    {
        var port = FreePort();
        _github = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"] });
        _github.Given(Request.Create().WithPath("/api/v3/repos/zoptal/platform/issues/42/comments").UsingGet())
            .RespondWith(Response.Create().WithCallback(request => Json(200, new JsonArray([.. _comments.Select(c => c.DeepClone())]), request)));
        _github.Given(Request.Create().WithPath("/api/v3/repos/zoptal/platform/issues/42/comments").UsingPost())
            .RespondWith(Response.Create().WithCallback(request =>
            {
                if (_readOnly)
                    return Json(403, new JsonObject { ["message"] = "Resource not accessible by integration" }, request);
                var comment = new JsonObject { ["id"] = 100 + _comments.Count, ["body"] = Body(request), ["html_url"] = $"http://x/{100 + _comments.Count}", ["user"] = User(StickyPullRequestComment.ActionsBot) };
                _comments.Add(comment);
                return Json(201, comment.DeepClone(), request);
            }));
        // GITHUB_TOKEN is an installation token: GET /user is not for it (GitHub answers 403).
        _github.Given(Request.Create().WithPath("/api/v3/user").UsingGet())
            .RespondWith(Response.Create().WithCallback(request => Json(403, new JsonObject { ["message"] = "Resource not accessible by integration" }, request)));
        _github.Given(Request.Create().WithPath(new RegexMatcher(@"^/api/v3/repos/zoptal/platform/issues/comments/\d+$")).UsingPatch())
            .RespondWith(Response.Create().WithCallback(request =>
            {
                var id = int.Parse(request.Path.Split('/')[^1]);
                var comment = _comments.Single(c => (int)c["id"]! == id);
                comment["body"] = Body(request);
                return Json(200, comment.DeepClone(), request);
            }));
    }

    public void Dispose() => _github.Stop();

    private static JsonObject User(string login) => new() { ["login"] = login, ["type"] = login.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User" };

    private StickyPullRequestComment Comment() =>
        new(new GitHubTarget(new Uri(_github.Url!), "zoptal", "platform", 42, Token));

    private IEnumerable<JsonObject> Ours => _comments.Where(c => ((string)c["body"]!).Contains(StickyPullRequestComment.Marker));

    [Fact]
    public async Task The_first_run_creates_the_comment_and_the_second_updates_the_same_one()
    {
        var first = await Comment().PublishAsync("## ✅ gate passed, run 1", "passed", true, CommentMode.Always);
        Assert.True(first.Posted);
        Assert.StartsWith("PR comment: created on zoptal/platform#42", first.Message);
        var second = await Comment().PublishAsync("## ❌ gate failed, run 2", "failed", false, CommentMode.Always);
        Assert.StartsWith("PR comment: updated", second.Message);

        var ours = Assert.Single(Ours);
        Assert.Contains("run 2", (string)ours["body"]!);
        Assert.Equal(2, _comments.Count); // the human comment is untouched
        Assert.All(_authorizations, a => Assert.Equal($"token {Token}", a, ignoreCase: true));
        Assert.DoesNotContain(Token, first.Message + second.Message);
    }

    [Fact]
    public async Task A_comment_by_someone_else_that_quotes_the_marker_is_never_taken_for_ours()
    {
        _comments.Add(new JsonObject { ["id"] = 2, ["body"] = $"> {StickyPullRequestComment.Marker}\n> quoting the bot: why is auth slower?", ["html_url"] = "http://x/2", ["user"] = User("bob") });
        var first = await Comment().PublishAsync("## ✅ gate passed, run 1", "passed", true, CommentMode.Always);
        Assert.StartsWith("PR comment: created", first.Message);
        var second = await Comment().PublishAsync("## ✅ gate passed, run 2", "passed", true, CommentMode.Always);
        Assert.StartsWith("PR comment: updated", second.Message);
        Assert.Contains("quoting the bot", (string)_comments.Single(c => (int)c["id"]! == 2)["body"]!);
        Assert.Single(_comments, c => (string)c["user"]!["login"]! == StickyPullRequestComment.ActionsBot);
    }

    [Fact]
    public async Task On_change_leaves_a_comment_with_the_same_verdicts_alone()
    {
        await Comment().PublishAsync("run 1", "state A", true, CommentMode.OnChange);
        var same = await Comment().PublishAsync("run 2, same verdicts", "state A", true, CommentMode.OnChange);
        Assert.False(same.Posted);
        Assert.Contains("run 1", (string)Assert.Single(Ours)["body"]!);
        var changed = await Comment().PublishAsync("run 3, new verdicts", "state B", false, CommentMode.OnChange);
        Assert.True(changed.Posted);
        Assert.Contains("run 3", (string)Assert.Single(Ours)["body"]!);
    }

    [Fact]
    public async Task On_failure_comments_only_on_a_failed_gate_but_keeps_an_existing_comment_current()
    {
        Assert.False((await Comment().PublishAsync("passed", "p", true, CommentMode.OnFailure)).Posted);
        Assert.Empty(Ours);
        Assert.True((await Comment().PublishAsync("failed", "f", false, CommentMode.OnFailure)).Posted);
        Assert.True((await Comment().PublishAsync("passed again", "p", true, CommentMode.OnFailure)).Posted);
        Assert.Contains("passed again", (string)Assert.Single(Ours)["body"]!);
        Assert.False((await Comment().PublishAsync("never", "n", false, CommentMode.Never)).Posted);
    }

    [Fact]
    public async Task A_read_only_token_from_a_fork_gives_a_warning_not_an_exception()
    {
        _readOnly = true;
        var outcome = await Comment().PublishAsync("body", "s", false, CommentMode.Always);
        Assert.False(outcome.Posted);
        Assert.StartsWith("warning: PR comment not posted: GitHub answered 403", outcome.Message);
        Assert.Contains("workflow_run", outcome.Message);
        Assert.DoesNotContain(Token, outcome.Message);
    }

    [Fact]
    public void The_target_comes_from_the_actions_values_and_says_what_is_missing()
    {
        var target = GitHubTarget.From("zoptal/platform", Token, "https://ghe.example.com/api/v3", 42, out var missing)!;
        Assert.Equal(("zoptal", "platform", 42, "https://ghe.example.com/api/v3"), (target.Owner, target.Repository, target.PullRequest, target.ApiUrl.ToString()));
        Assert.Null(missing);
        Assert.DoesNotContain(Token, target.ToString());
        Assert.Equal("https://api.github.com/", GitHubTarget.From("zoptal/platform", Token, null, 7, out _)!.ApiUrl.ToString());
        Assert.Null(GitHubTarget.From("zoptal/platform", null, null, 42, out missing));
        Assert.Equal("GITHUB_TOKEN is not set", missing);
        Assert.Null(GitHubTarget.From("platform", Token, null, 42, out missing));
        Assert.Equal("GITHUB_REPOSITORY is not set to owner/name", missing);
        Assert.Null(GitHubTarget.From("zoptal/platform", Token, "not a url", 42, out missing));
        Assert.Equal("GITHUB_API_URL is not an absolute URL", missing);
        Assert.Null(GitHubTarget.From("zoptal/platform", Token, null, null, out missing));
        Assert.StartsWith("not a pull request", missing);
    }

    private ResponseMessage Json(int status, JsonNode body, IRequestMessage request)
    {
        if (request.Headers?.TryGetValue("Authorization", out var authorization) == true)
            _authorizations.Add(authorization.ToString()!);
        return new ResponseMessage
        {
            StatusCode = status,
            Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
            BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
        };
    }

    private static string Body(IRequestMessage request) => JsonDocument.Parse(request.Body!).RootElement.GetProperty("body").GetString()!;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
