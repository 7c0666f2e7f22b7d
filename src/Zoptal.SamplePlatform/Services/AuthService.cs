using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Zoptal.SamplePlatform.Storage;

namespace Zoptal.SamplePlatform.Services;

/// <summary>
/// Registration and login (PBKDF2 password hashes: logins cost CPU), signed access tokens with validation and
/// rotating refresh tokens, a password reset flow, an OAuth authorization-code exchange, and a login rate limit
/// per account that answers 429.
/// </summary>
public sealed class AuthService(PlatformState state) : IPlatformService
{
    /// <summary>Failed logins per account and window before 429.</summary>
    public const int LoginLimit = 10;

    /// <summary>The rate limit's window.</summary>
    public static readonly TimeSpan LoginWindow = TimeSpan.FromSeconds(60);

    /// <summary>The only OAuth client the sample knows, with its secret (documented in docs/sample-platform.md).</summary>
    public const string OAuthClientId = "zoptal-web";

    /// <summary>The sample OAuth client's secret.</summary>
    public const string OAuthClientSecret = "sample-secret";

    private static readonly TimeSpan AccessLifetime = TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<string, (string Email, DateTimeOffset Expires)> _refreshTokens = new();
    private readonly ConcurrentDictionary<string, (string Email, DateTimeOffset Expires)> _resetTokens = new();
    private readonly ConcurrentDictionary<string, (string Email, string RedirectUri, DateTimeOffset Expires)> _codes = new();
    private readonly ConcurrentDictionary<string, LoginWindowCounter> _attempts = new(StringComparer.OrdinalIgnoreCase);

    public string Name => "auth";

    public void Map(WebApplication app)
    {
        app.MapPost("/auth/register", async (Credentials body) =>
        {
            if (Invalid(body) is { } problem)
                return problem;
            var user = new UserRecord(PlatformState.NewId(), body.Email!, body.Name ?? body.Email!, Hash(body.Password!));
            return await state.Users.AddAsync(user)
                ? Results.Created($"/auth/users/{user.Id}", new { user.Id, user.Email, user.Name })
                : Results.Conflict(new { error = "email already registered" });
        });

        app.MapPost("/auth/login", async (Credentials body, HttpContext context) =>
        {
            if (string.IsNullOrEmpty(body.Email) || string.IsNullOrEmpty(body.Password))
                return Results.BadRequest(new { error = "email and password are required" });
            // Brute-force protection: after LoginLimit failed attempts in a window the account answers 429, even to
            // the right password, until the window ends. Successful logins do not count.
            var counter = _attempts.GetOrAdd(body.Email, _ => new LoginWindowCounter());
            var now = DateTimeOffset.UtcNow;
            if (counter.IsBlocked(now, LoginLimit, LoginWindow, out var retryAfter))
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new { error = "too many failed login attempts" }, statusCode: StatusCodes.Status429TooManyRequests);
            }

            if (await state.Users.FindByEmailAsync(body.Email) is { } user && Verify(body.Password, user.PasswordHash))
                return Results.Ok(Issue(user));
            counter.Fail(now, LoginWindow);
            return Results.Json(new { error = "invalid email or password" }, statusCode: StatusCodes.Status401Unauthorized);
        });

        app.MapGet("/auth/validate", (HttpContext context) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || state.Tokens.Validate(header[7..], DateTimeOffset.UtcNow) is not { } claims)
                return Results.Json(new { valid = false }, statusCode: StatusCodes.Status401Unauthorized);
            return Results.Ok(new { valid = true, userId = claims.Subject, email = claims.Email, expiresAt = claims.Expires });
        });

        app.MapPost("/auth/refresh", async (RefreshRequest body) =>
        {
            // Rotation: a refresh token works once; the answer carries the next one.
            if (body.RefreshToken is null || !_refreshTokens.TryRemove(body.RefreshToken, out var entry) || entry.Expires <= DateTimeOffset.UtcNow
                || await state.Users.FindByEmailAsync(entry.Email) is not { } user)
            {
                return Results.Json(new { error = "invalid refresh token" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            return Results.Ok(Issue(user));
        });

        app.MapPost("/auth/password-reset", async (ResetRequest body) =>
        {
            // A real service mails the token; the sample hands it back so a scenario can finish the flow. Unknown
            // addresses get the same answer without a token, so the endpoint does not reveal who is registered.
            if (string.IsNullOrEmpty(body.Email))
                return Results.BadRequest(new { error = "email is required" });
            string? token = null;
            if (await state.Users.FindByEmailAsync(body.Email) is not null)
            {
                token = PlatformState.NewId() + PlatformState.NewId();
                _resetTokens[token] = (body.Email, DateTimeOffset.UtcNow.AddMinutes(30));
            }

            return Results.Accepted(value: new { status = "sent", resetToken = token });
        });

        app.MapPost("/auth/password-reset/confirm", async (ResetConfirmation body) =>
        {
            if (body.Token is null || body.NewPassword is not { Length: >= 8 })
                return Results.BadRequest(new { error = "token and a new password of at least 8 characters are required" });
            if (!_resetTokens.TryRemove(body.Token, out var entry) || entry.Expires <= DateTimeOffset.UtcNow || await state.Users.FindByEmailAsync(entry.Email) is not { } user)
                return Results.BadRequest(new { error = "invalid or expired reset token" });
            await state.Users.SetPasswordAsync(user.Email, Hash(body.NewPassword));
            return Results.NoContent();
        });

        // OAuth 2.0 authorization code grant (RFC 6749 4.1) with automatic consent: the login hint names the user.
        app.MapGet("/oauth/authorize", async (HttpContext context) =>
        {
            var q = context.Request.Query;
            if (q["response_type"] != "code" || q["client_id"] != OAuthClientId)
                return Results.BadRequest(new { error = "unsupported_response_type or unknown client" });
            var redirect = q["redirect_uri"].ToString();
            if (!Uri.TryCreate(redirect, UriKind.Absolute, out var redirectUri) || !redirectUri.IsLoopback)
                return Results.BadRequest(new { error = "invalid_request", error_description = "redirect_uri must be an absolute loopback URL" });
            if (await state.Users.FindByEmailAsync(q["login_hint"].ToString()) is not { } user)
                return Results.BadRequest(new { error = "access_denied", error_description = "unknown user" });
            var code = PlatformState.NewId();
            _codes[code] = (user.Email, redirect, DateTimeOffset.UtcNow.AddSeconds(60));
            var separator = redirect.Contains('?') ? '&' : '?';
            return Results.Redirect($"{redirect}{separator}code={code}&state={Uri.EscapeDataString(q["state"].ToString())}");
        });

        app.MapGet("/oauth/callback", (HttpContext context) =>
            Results.Ok(new { code = context.Request.Query["code"].ToString(), state = context.Request.Query["state"].ToString() }));

        app.MapPost("/oauth/token", async (HttpContext context) =>
        {
            if (!context.Request.HasFormContentType)
                return Results.BadRequest(new { error = "invalid_request", error_description = "form body expected" });
            var form = await context.Request.ReadFormAsync();
            if (form["grant_type"] != "authorization_code")
                return Results.BadRequest(new { error = "unsupported_grant_type" });
            if (form["client_id"] != OAuthClientId || form["client_secret"] != OAuthClientSecret)
                return Results.Json(new { error = "invalid_client" }, statusCode: StatusCodes.Status401Unauthorized);
            if (!_codes.TryRemove(form["code"].ToString(), out var grant) || grant.Expires <= DateTimeOffset.UtcNow
                || grant.RedirectUri != form["redirect_uri"] || await state.Users.FindByEmailAsync(grant.Email) is not { } user)
            {
                return Results.BadRequest(new { error = "invalid_grant" });
            }

            return Results.Ok(Issue(user));
        });
    }

    private static IResult? Invalid(Credentials body)
    {
        if (string.IsNullOrWhiteSpace(body.Email) || !body.Email.Contains('@') || body.Email.Length > 254)
            return Results.BadRequest(new { error = "a valid email is required" });
        if (body.Password is not { Length: >= 8 and <= 128 })
            return Results.BadRequest(new { error = "password must be 8 to 128 characters" });
        return null;
    }

    private object Issue(UserRecord user)
    {
        var now = DateTimeOffset.UtcNow;
        var refresh = PlatformState.NewId() + PlatformState.NewId();
        _refreshTokens[refresh] = (user.Email, now.AddDays(7));
        return new
        {
            accessToken = state.Tokens.Create(user.Id, user.Email, AccessLifetime, now),
            refreshToken = refresh,
            tokenType = "Bearer",
            expiresIn = (int)AccessLifetime.TotalSeconds,
            userId = user.Id,
        };
    }

    private string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, state.Options.KdfIterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${state.Options.KdfIterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    private static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        var iterations = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Failed attempts in a fixed window per account.</summary>
    private sealed class LoginWindowCounter
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _windowStart;
        private int _failures;

        public bool IsBlocked(DateTimeOffset now, int limit, TimeSpan window, out TimeSpan retryAfter)
        {
            lock (_lock)
            {
                if (now - _windowStart >= window)
                {
                    _windowStart = now;
                    _failures = 0;
                }

                retryAfter = _windowStart + window - now;
                return _failures >= limit;
            }
        }

        public void Fail(DateTimeOffset now, TimeSpan window)
        {
            lock (_lock)
            {
                if (now - _windowStart >= window)
                {
                    _windowStart = now;
                    _failures = 0;
                }

                _failures++;
            }
        }
    }
}

/// <summary>Registration and login body.</summary>
public sealed record Credentials(string? Email, string? Password, string? Name);

/// <summary>Refresh body.</summary>
public sealed record RefreshRequest(string? RefreshToken);

/// <summary>Password reset request body.</summary>
public sealed record ResetRequest(string? Email);

/// <summary>Password reset confirmation body.</summary>
public sealed record ResetConfirmation(string? Token, string? NewPassword);
