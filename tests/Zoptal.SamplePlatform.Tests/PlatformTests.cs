using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Zoptal.Perf.Testing;

namespace Zoptal.SamplePlatform.Tests;

/// <summary>The sample platform as LoadTest meets it: six services on loopback, health, and the auth service's answers to good and bad input.</summary>
public sealed class PlatformTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Every_service_listens_on_loopback_and_says_it_is_healthy()
    {
        Assert.Equal(["ai", "analytics", "auth", "billing", "notification", "project"], platform.Urls.Keys.Order());
        foreach (var (service, url) in platform.Urls)
        {
            Assert.True(IPAddress.IsLoopback(IPAddress.Parse(url.Host)), $"{service} listens on {url.Host}");
            using var health = JsonDocument.Parse(await Http.GetStringAsync(new Uri(url, "/health")));
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            Assert.Equal(service, health.RootElement.GetProperty("service").GetString());
        }
    }

    [Fact]
    public async Task A_registered_user_logs_in_and_a_wrong_password_or_missing_field_is_refused()
    {
        var auth = platform.Urls["auth"];
        var email = $"u{Guid.NewGuid():N}@example.test";
        var registered = await Http.PostAsJsonAsync(new Uri(auth, "/auth/register"), new { email, password = "correct horse 1", name = "U" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsJsonAsync(new Uri(auth, "/auth/register"), new { email, password = "correct horse 1" })).StatusCode);

        var login = await Http.PostAsJsonAsync(new Uri(auth, "/auth/login"), new { email, password = "correct horse 1" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.PostAsJsonAsync(new Uri(auth, "/auth/login"), new { email, password = "wrong" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync(new Uri(auth, "/auth/login"), new { email })).StatusCode);
    }
}
