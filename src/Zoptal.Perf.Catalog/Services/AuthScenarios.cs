using System.Net.Http.Headers;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog.Services;

/// <summary>
/// Auth: registration and login, token validation and refresh, the password reset flow, the OAuth authorization
/// code exchange, and verification that repeated failed logins are rate limited with 429.
/// </summary>
public sealed class AuthScenarios : IServiceScenarios
{
    private const string Password = "Load-test-password-1";

    // Display names for registrations (a feed, as k6 scripts read a users CSV).
    private static readonly DataFeed<string> Names = DataFeed.FromList("names",
        ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Barbara Liskov", "Edsger Dijkstra", "Margaret Hamilton", "Donald Knuth", "Frances Allen"],
        FeedStrategy.Random);

    public string Service => "auth";

    public IReadOnlyList<Scenario> Scenarios { get; } =
    [
        Scenario.Create("registration-login", RegistrationLogin).WithWeight(40),
        Scenario.Create("token-refresh", TokenRefresh).WithWeight(25),
        Scenario.Create("password-reset", PasswordReset).WithWeight(10),
        Scenario.Create("oauth", OAuth).WithWeight(15),
        // The 401s and 429s are what this scenario asks for: they are not failed requests.
        Scenario.Create("rate-limit", RateLimit).WithWeight(10).WithExpectedStatuses(200, 201, 401, 429),
    ];

    private static async Task RegistrationLogin(ScenarioContext ctx)
    {
        var email = $"new-{ZoptalClient.VuTag(ctx)}-{ctx.Iteration}@load.test";
        using (var registered = await ctx.Step("register", () => ctx.PostJson("/auth/register", new { email, password = Password, name = Names.Next() })))
            ctx.Status("register status", registered, 201);
        using var login = await ctx.Step("login", () => ctx.PostJson("/auth/login", new { email, password = Password }));
        ctx.Status("login status", login, 200);
        var body = await login.Json();
        ctx.Check("login returns a bearer token", body.Str("tokenType") == "Bearer" && body.Str("accessToken")?.Split('.').Length == 3);
    }

    private static async Task TokenRefresh(ScenarioContext ctx)
    {
        // One account and session per VU; each iteration validates the access token and rotates the refresh token.
        if (!ctx.State.TryGetValue("auth.refresh", out var refresh))
        {
            var tokens = await Session(ctx, "refresh");
            if (tokens is null)
                return;
            ctx.State["auth.access"] = tokens.Value.Access;
            refresh = ctx.State["auth.refresh"] = tokens.Value.Refresh;
        }

        using (var validate = new HttpRequestMessage(HttpMethod.Get, "/auth/validate"))
        {
            validate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (string)ctx.State["auth.access"]!);
            using var validated = await ctx.Step("validate", () => ctx.Http.SendAsync(validate));
            ctx.Status("validate status", validated, 200);
            ctx.Check("token is valid", (await validated.Json()).TryGetProperty("valid", out var valid) && valid.GetBoolean());
        }

        using var refreshed = await ctx.Step("refresh", () => ctx.PostJson("/auth/refresh", new { refreshToken = refresh }));
        ctx.Status("refresh status", refreshed, 200);
        var body = await refreshed.Json();
        if (body.Str("refreshToken") is { } next && body.Str("accessToken") is { } access)
        {
            ctx.Check("refresh token rotated", next != (string)refresh!);
            ctx.State["auth.refresh"] = next;
            ctx.State["auth.access"] = access;
        }
        else
        {
            ctx.State.Remove("auth.refresh"); // log in again next time
        }
    }

    private static async Task PasswordReset(ScenarioContext ctx)
    {
        var email = await Account(ctx, "reset");
        if (email is null)
            return;
        using var requested = await ctx.Step("request", () => ctx.PostJson("/auth/password-reset", new { email }));
        ctx.Status("reset request status", requested, 202);
        var token = (await requested.Json()).Str("resetToken");
        if (!ctx.Check("reset token issued", token is not null))
            return;
        var newPassword = $"{Password}-{ctx.Iteration}";
        using (var confirmed = await ctx.Step("confirm", () => ctx.PostJson("/auth/password-reset/confirm", new { token, newPassword })))
            ctx.Status("reset confirm status", confirmed, 204);
        using var login = await ctx.Step("login", () => ctx.PostJson("/auth/login", new { email, password = newPassword }));
        ctx.Status("login with the new password", login, 200);
        ctx.State["auth.reset.password"] = newPassword;
    }

    private static async Task OAuth(ScenarioContext ctx)
    {
        var email = await Account(ctx, "oauth");
        if (email is null)
            return;
        var callback = new Uri(ctx.Http.BaseAddress!, "/oauth/callback").ToString();
        var state = $"{ctx.VuId}-{ctx.Iteration}";
        var authorize = $"/oauth/authorize?response_type=code&client_id=zoptal-web&redirect_uri={Uri.EscapeDataString(callback)}&state={state}&login_hint={Uri.EscapeDataString(email)}";
        // The client follows the 302 to the callback, as a browser would; the callback shows the code.
        using var authorized = await ctx.Step("authorize", () => ctx.Http.GetAsync(authorize));
        ctx.Status("authorize ends at the callback with", authorized, 200);
        var grant = await authorized.Json();
        if (!ctx.Check("state round-trips", grant.Str("state") == state) || grant.Str("code") is not { } code)
            return;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = callback,
            ["client_id"] = "zoptal-web",
            ["client_secret"] = "sample-secret",
        });
        using var exchanged = await ctx.Step("token", () => ctx.Http.PostAsync("/oauth/token", form));
        ctx.Status("code exchange status", exchanged, 200);
        ctx.Check("code exchange returns tokens", (await exchanged.Json()).Str("accessToken") is not null);
    }

    private static async Task RateLimit(ScenarioContext ctx)
    {
        // A VU's own target account, so the lock-out never touches the other scenarios' users.
        var email = await Account(ctx, "limited");
        if (email is null)
            return;
        int unauthorized = 0, limited = 0;
        for (var attempt = 0; attempt < 12; attempt++)
        {
            using var response = await ctx.PostJson("/auth/login", new { email, password = "wrong-password" });
            switch ((int)response.StatusCode)
            {
                case 401:
                    unauthorized++;
                    break;
                case 429:
                    limited++;
                    ctx.Check("429 says when to retry", response.Headers.RetryAfter is not null);
                    break;
            }
        }

        ctx.Check("failed logins are rate limited with 429", limited > 0);
        ctx.Check("no more than 10 failed attempts are answered", unauthorized <= 10);
    }

    // The VU's account for a scenario, registered on first use; null when registration failed.
    private static async Task<string?> Account(ScenarioContext ctx, string purpose)
    {
        var key = $"auth.account.{purpose}";
        if (ctx.State.TryGetValue(key, out var existing))
            return (string)existing!;
        var email = $"{purpose}-{ZoptalClient.VuTag(ctx)}@load.test";
        using var registered = await ctx.PostJson("/auth/register", new { email, password = Password, name = Names.Next() });
        if (!ctx.Status($"{purpose} account registered", registered, 201))
            return null;
        ctx.State[key] = email;
        return email;
    }

    private static async Task<(string Access, string Refresh)?> Session(ScenarioContext ctx, string purpose)
    {
        var email = await Account(ctx, purpose);
        if (email is null)
            return null;
        using var login = await ctx.PostJson("/auth/login", new { email, password = Password });
        if (!ctx.Status("session login status", login, 200))
            return null;
        var body = await login.Json();
        return body.Str("accessToken") is { } access && body.Str("refreshToken") is { } refresh ? (access, refresh) : null;
    }
}
