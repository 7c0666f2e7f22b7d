using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Net;

namespace Zoptal.Perf.Runs;

/// <summary>Checks every service's health endpoint before any load: an unreachable service is a clear error first.</summary>
public static class HealthCheck
{
    /// <summary>Each service must answer 2xx within 5 s (three tries, half a second apart); else exit code 1 listing all that did not.</summary>
    public static async Task RequireAsync(IReadOnlyList<(string Service, Uri Url, HostGuard Guard)> checks, Action<string> log, CancellationToken cancellation)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(5) };
        var failures = await Task.WhenAll(checks.Select(async check =>
        {
            // The health URL passes the same guard as the load, before anything is sent.
            if (check.Guard.Refuse(check.Url) is { } refused)
                return $"{check.Service}: health check {check.Url} not sent: {refused}";
            string? problem = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    using var response = await client.GetAsync(check.Url, cancellation);
                    if (response.IsSuccessStatusCode)
                    {
                        log($"health {check.Service}: {(int)response.StatusCode} from {check.Url}");
                        return null;
                    }

                    problem = $"answered {(int)response.StatusCode} {response.ReasonPhrase}";
                }
                catch (HttpRequestException e)
                {
                    problem = e.InnerException?.Message ?? e.Message;
                }
                catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    problem = "no answer within 5 s";
                }

                await Task.Delay(500, cancellation);
            }

            return $"{check.Service}: health check {check.Url} failed: {problem}";
        }));
        var failed = failures.OfType<string>().ToList();
        if (failed.Count > 0)
            throw new RunFailedException($"No load was sent: {failed.Count} service{(failed.Count == 1 ? " is" : "s are")} not healthy.{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", failed)}");
    }
}
