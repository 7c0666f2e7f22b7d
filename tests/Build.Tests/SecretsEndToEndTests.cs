using System.Net;
using System.Text;
using Zoptal.Build;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.BuildDefinition.Tests;

/// <summary>
/// Secrets from the environment interpolated into declared requests (a name, a path, a body check) never reach a file
/// or GitHub: LoadTest and Report run through the build host against the embedded platform, with a local fake of the
/// GitHub API on loopback; then every file they wrote, the job summary and every request GitHub got are searched for
/// each secret and each of its 8-character pieces.
/// </summary>
public sealed class SecretsEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zoptal-secrets-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string RandomSecret()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        return new string(Enumerable.Range(0, 40).Select(_ => alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)]).ToArray());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zoptal.Perf.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Zoptal.Perf.sln not found");
    }

    [Fact]
    public async Task No_secret_nor_any_8_character_piece_of_one_is_written_to_a_file_or_sent_to_GitHub()
    {
        var secrets = new Dictionary<string, string>
        {
            ["SERVICE_TOKEN"] = RandomSecret(),
            ["API_KEY"] = RandomSecret(),
            ["WEBHOOK_SECRET"] = RandomSecret(),
            ["SESSION_TOKEN"] = RandomSecret(),
            ["GITHUB_TOKEN"] = RandomSecret(),
        };
        var results = Path.Combine(_folder, "results");
        var config = Path.Combine(_folder, "perf-config.yml");
        File.WriteAllText(config, $$"""
            services:
              - name: analytics
                baseUrl: embedded
                scenarios:
                  - name: probes
                    requests:
                      - { name: "probe-${SERVICE_TOKEN}", path: "/health?key=${API_KEY}", check: { bodyContains: "${WEBHOOK_SECRET}" } }
                      - { path: "/health?token=${SESSION_TOKEN}" }
            load: { executor: constant-vus, vus: 2, duration: 2s, gracefulStop: 2s, thinkTime: 50ms }
            results: { directory: {{results}} }
            """);
        using var github = new FakeGitHub();
        var summaryFile = Path.Combine(_folder, "step-summary.md");
        var environment = new Dictionary<string, string>(secrets)
        {
            ["CI"] = "true",
            ["GITHUB_REPOSITORY"] = "zoptal/platform",
            ["GITHUB_API_URL"] = github.Url,
            ["GITHUB_STEP_SUMMARY"] = summaryFile,
        };

        var output = new StringBuilder();
        int Build(params string[] arguments)
        {
            var writer = new StringWriter();
            var code = BuildRunner.Run(new global::Build(), new BuildInvocation([.. arguments, "--root", RepositoryRoot(), "--config", config, "--no-logo"],
                environment, _folder, writer, new SecretMasker(), default), ["Compile"]);
            output.Append(writer);
            return code;
        }

        Assert.Equal(0, Build("LoadTest"));
        Assert.Contains(Build("Report", "--pull-request", "7", "--fail-on", "never"), new[] { 0 });
        Assert.True(github.Bodies.Count >= 2, "the comment was looked for and posted");
        // Every file (latest/ is a link to the run's folder, read once through the folder itself).
        var files = Directory.GetFiles(results, "*", SearchOption.AllDirectories).Where(f => !Path.GetRelativePath(results, f).StartsWith("latest", StringComparison.Ordinal)).ToList();
        Assert.Contains("probe-****", File.ReadAllText(files.Single(f => Path.GetFileName(f) == "summary.json")));

        var places = files.Select(f => (Path.GetRelativePath(_folder, f), File.ReadAllBytes(f)))
            .Append(("the job summary", File.ReadAllBytes(summaryFile)))
            .Append(("the console", Encoding.UTF8.GetBytes(output.ToString())))
            .Concat(github.Bodies.Select((b, i) => ($"GitHub request {i}", Encoding.UTF8.GetBytes(b))))
            .ToList();
        Assert.Contains(places, p => p.Item1.EndsWith("history.db", StringComparison.Ordinal));
        Assert.Contains(places, p => p.Item1.EndsWith(".hlog", StringComparison.Ordinal));
        Assert.Contains(places, p => p.Item1.EndsWith(".html", StringComparison.Ordinal));
        foreach (var (name, secret) in secrets)
        {
            foreach (var piece in Enumerable.Range(0, secret.Length - 7).Select(i => secret.Substring(i, 8)).Prepend(secret))
            {
                var bytes = Encoding.UTF8.GetBytes(piece);
                foreach (var (place, content) in places)
                    Assert.False(content.AsSpan().IndexOf(bytes) >= 0, $"{name}'s '{piece}' is in {place}");
            }
        }
    }

    /// <summary>The GitHub API's comment endpoints on loopback, recording what it was sent.</summary>
    private sealed class FakeGitHub : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public FakeGitHub()
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public List<string> Bodies { get; } = [];

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
                lock (Bodies)
                    Bodies.Add($"{context.Request.HttpMethod} {context.Request.RawUrl}\n{body}"); // the token goes in a header, as it must

                var post = context.Request.HttpMethod == "POST";
                // GET /user is not for GITHUB_TOKEN (an installation token): GitHub answers 403.
                var user = context.Request.RawUrl?.EndsWith("/user", StringComparison.Ordinal) == true;
                var answer = post ? """{"id": 1, "body": "ok", "html_url": "http://x/1"}""" : user ? """{"message": "Resource not accessible by integration"}""" : "[]";
                context.Response.StatusCode = post ? 201 : user ? 403 : 200;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(answer);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Stop();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
