using System.Text;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog;

/// <summary>
/// A scenario declared in perf-config.yml with <c>requests:</c>, for simple endpoints of real services: each
/// iteration sends the requests in order, each as a step with its own metrics, and checks status and body.
/// </summary>
public static class DeclaredScenario
{
    /// <summary>Builds the scenario.</summary>
    public static Scenario Create(ScenarioConfig config)
    {
        var requests = config.Requests;
        var scenario = Scenario.Create(config.Name, async ctx =>
        {
            foreach (var request in requests)
            {
                await ctx.Step(request.Name, async () =>
                {
                    using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
                    if (request.Body is not null)
                        message.Content = new StringContent(request.Body, Encoding.UTF8, ContentType(request));
                    foreach (var (name, value) in request.Headers)
                    {
                        if (!name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && !message.Headers.TryAddWithoutValidation(name, value))
                            message.Content?.Headers.TryAddWithoutValidation(name, value);
                    }

                    using var response = await ctx.Http.SendAsync(message);
                    var status = (int)response.StatusCode;
                    ctx.Check($"{request.Name} status is {request.ExpectStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "2xx"}",
                        request.ExpectStatus is { } expected ? status == expected : status is >= 200 and < 300);
                    if (request.ExpectBodyContains is { } text)
                        ctx.Check($"{request.Name} body contains '{text}'", (await response.Content.ReadAsStringAsync()).Contains(text, StringComparison.Ordinal));
                });
            }
        }).WithWeight(config.Weight);

        // A request declared to expect an error status (a 404 probe, a 429 check) must not count as a failed request.
        var expectedErrors = requests.Select(r => r.ExpectStatus).OfType<int>().Where(s => s >= 400).ToList();
        return expectedErrors.Count == 0 ? scenario
            : scenario.WithExpectedStatuses([.. Enumerable.Range(100, 300), .. expectedErrors]);
    }

    private static string ContentType(RequestConfig request) =>
        request.Headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value?.Split(';')[0].Trim()
        ?? (request.Body?.TrimStart().StartsWith('{') == true || request.Body?.TrimStart().StartsWith('[') == true ? "application/json" : "text/plain");
}
