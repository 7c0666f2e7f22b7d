using System.Text.Json;

namespace Zoptal.Build;

/// <summary>What GitHub Actions tells a job through its environment.</summary>
public sealed class GitHubActionsContext
{
    private readonly IReadOnlyDictionary<string, string> _environment;

    internal GitHubActionsContext(IReadOnlyDictionary<string, string> environment) => _environment = environment;

    /// <summary>Whether this process runs under GitHub Actions (<c>GITHUB_ACTIONS=true</c>).</summary>
    public bool IsRunning => Get("GITHUB_ACTIONS")?.Equals("true", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary><c>owner/name</c>.</summary>
    public string? Repository => Get("GITHUB_REPOSITORY");

    /// <summary>The commit.</summary>
    public string? Sha => Get("GITHUB_SHA");

    /// <summary>The branch or pull request ref.</summary>
    public string? Ref => Get("GITHUB_REF");

    /// <summary>The branch or tag the run is for (<c>GITHUB_REF_NAME</c>; <c>N/merge</c> for a pull request).</summary>
    public string? RefName => Get("GITHUB_REF_NAME");

    /// <summary>The head branch of a pull request (<c>GITHUB_HEAD_REF</c>).</summary>
    public string? HeadRef => Get("GITHUB_HEAD_REF");

    /// <summary>The branch the run measured: a pull request's head branch, else the ref name.</summary>
    public string? Branch => HeadRef ?? RefName;

    /// <summary>The base branch of a pull request.</summary>
    public string? BaseRef => Get("GITHUB_BASE_REF");

    /// <summary>The API's address (github.com's, or an Enterprise server's).</summary>
    public string ApiUrl => Get("GITHUB_API_URL") ?? "https://api.github.com";

    /// <summary>The token; registered as a secret by the host.</summary>
    public string? Token => Get("GITHUB_TOKEN");

    /// <summary>The file the job summary is appended to.</summary>
    public string? StepSummaryFile => Get("GITHUB_STEP_SUMMARY");

    /// <summary>The pull request's number, from <c>refs/pull/N/merge</c> or the event payload.</summary>
    public int? PullRequestNumber
    {
        get
        {
            if (Ref is { } r && r.StartsWith("refs/pull/", StringComparison.Ordinal) && int.TryParse(r.Split('/')[2], out var fromRef))
                return fromRef;
            if (Get("GITHUB_EVENT_PATH") is not { } path || !File.Exists(path))
                return null;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                return document.RootElement.TryGetProperty("pull_request", out var pr) && pr.TryGetProperty("number", out var n) && n.TryGetInt32(out var number)
                    ? number
                    : null;
            }
            catch (JsonException)
            {
                return null; // not the event payload GitHub writes: no pull request to comment on
            }
        }
    }

    private string? Get(string name) => _environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
