using System.Collections.Concurrent;
using System.Net;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Load.Tests;

/// <summary>
/// The host guard at send time, for every URL the engine sends to. Nothing here reaches a non-loopback address: the
/// tests assert the guard's own error and, through the connect hook, that no name was looked up nor connection opened.
/// </summary>
public sealed class HostGuardTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Elsewhere = "example.invalid";

    private async Task<(LoadRunResult Result, ConcurrentBag<string> Connects, List<string> Log)> Run(HttpTransport transport, Func<ScenarioContext, Task> iteration)
    {
        var connects = new ConcurrentBag<string>();
        var log = new List<string>();
        var result = await new LoadRunner(new LoadRunOptions
        {
            Scenarios = [Scenario.Create("guarded", iteration)],
            Load = EngineRuns.Iterations(1, 2, new HttpConfig { Transport = transport }),
            BaseAddress = server.Http1,
            ConnectObserver = (host, port) => connects.Add($"{host}:{port}"),
            Log = line =>
            {
                lock (log)
                    log.Add(line);
            },
        }).RunAsync();
        return (result, connects, log);
    }

    [Theory]
    [InlineData(HttpTransport.Lean)]
    [InlineData(HttpTransport.Sockets)]
    public async Task A_redirect_to_a_host_that_is_not_allowed_is_a_failed_request_and_nothing_is_sent_there(HttpTransport transport)
    {
        HttpStatusCode status = HttpStatusCode.OK;
        string? reason = null;
        var (result, connects, log) = await Run(transport, async ctx =>
        {
            using var response = await ctx.Http.GetAsync($"/redirect/302?to=http://{Elsewhere}:8080/x");
            (status, reason) = (response.StatusCode, response.ReasonPhrase);
        });
        var requests = Assert.Single(result.Scenarios).Requests;
        Assert.Equal(4, requests.Requests); // per iteration: the 302 from loopback, then the refused hop
        Assert.Equal(2, requests.Failures[FailureKind.HostRefused]);
        Assert.Equal((HttpStatusCode)0, status);
        Assert.Equal($"refused by the host guard: '{Elsewhere}' is neither loopback nor in the service's allowedHosts", reason);
        Assert.DoesNotContain(connects, c => c.StartsWith(Elsewhere, StringComparison.Ordinal));
        Assert.Contains(connects, c => c.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains($"http://{Elsewhere}:8080/x: refused by the host guard", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("//example.invalid:8080/x")] // a network-path reference: HttpClient resolves it against the base's scheme only
    [InlineData("http://example.invalid/x")]
    [InlineData("http://10.0.0.1/x")]
    public async Task An_absolute_or_network_path_URL_in_scenario_code_is_refused_before_any_connection(string url)
    {
        var (result, connects, _) = await Run(HttpTransport.Lean, async ctx => { using var r = await ctx.Http.GetAsync(url); });
        var requests = Assert.Single(result.Scenarios).Requests;
        Assert.Equal(2, requests.Failures[FailureKind.HostRefused]);
        Assert.Empty(connects);
    }

    [Fact]
    public async Task Hosts_in_allowedHosts_pass_and_the_config_check_names_the_base_url()
    {
        var guard = new HostGuard(["staging.zoptal.example"]);
        Assert.Null(guard.Refuse(new Uri("http://staging.zoptal.example:3001/x")));
        Assert.Null(guard.Refuse(new Uri("http://127.0.0.5/x")));
        Assert.Null(guard.Refuse(new Uri("http://[::1]:80/x")));
        Assert.Null(guard.Refuse(new Uri("http://LOCALHOST/x")));
        Assert.NotNull(guard.Refuse(new Uri("http://staging.zoptal.example.evil.test/x")));
        Assert.NotNull(guard.Refuse(new Uri("ftp://127.0.0.1/x")));
        Assert.NotNull(guard.Refuse(new Uri("/relative", UriKind.Relative)));

        var (result, connects, _) = await Run(HttpTransport.Lean, async ctx => { using var r = await ctx.Http.GetAsync("/redirect/302?to=/ok"); });
        Assert.Equal(0, Assert.Single(result.Scenarios).Requests.Failed); // a redirect that stays on loopback is followed
        Assert.NotEmpty(connects);
    }

    [Fact]
    public async Task An_init_hook_cannot_send_elsewhere_either()
    {
        var scenario = Scenario.Create("s", _ => Task.CompletedTask) with
        {
            Init = async setup => { using var r = await setup.Http.GetAsync($"http://{Elsewhere}/seed"); },
        };
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => new LoadRunner(new LoadRunOptions
        {
            Scenarios = [scenario],
            Load = EngineRuns.Iterations(1, 1),
            BaseAddress = server.Http1,
        }).RunAsync());
        Assert.Contains("refused by the host guard", error.Message);
    }
}
