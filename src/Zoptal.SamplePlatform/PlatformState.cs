using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Zoptal.SamplePlatform;

/// <summary>What the services share: options, the token signer, and a seeded source of simulated latencies.</summary>
public sealed class PlatformState(PlatformOptions options, Storage.IUserStore users, Storage.IProjectStore projects, Storage.IUsageStore usage, Storage.IEventStore events)
{
    /// <summary>State over one storage for everything (memory or PostgreSQL).</summary>
    public PlatformState(PlatformOptions options, Storage.MemoryStores stores)
        : this(options, stores, stores, stores, stores)
    {
    }

    public Storage.IUserStore Users { get; } = users;

    public Storage.IProjectStore Projects { get; } = projects;

    public Storage.IUsageStore Usage { get; } = usage;

    public Storage.IEventStore Events { get; } = events;

    private readonly Random _random = new(options.Seed);
    private readonly Lock _randomLock = new();

    public PlatformOptions Options { get; } = options;

    /// <summary>Signs and checks the access tokens auth issues (HS256 JWTs, a fresh key per process).</summary>
    public TokenSigner Tokens { get; } = new(RandomNumberGenerator.GetBytes(32));

    /// <summary>A log-normal sample with the given median: the long right tail real latencies have.</summary>
    public TimeSpan LogNormal(TimeSpan median, double sigma)
    {
        double u1, u2;
        lock (_randomLock)
        {
            u1 = 1.0 - _random.NextDouble();
            u2 = _random.NextDouble();
        }

        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return TimeSpan.FromMilliseconds(median.TotalMilliseconds * Math.Exp(sigma * normal));
    }

    /// <summary>True with the given probability.</summary>
    public bool Chance(double probability)
    {
        lock (_randomLock)
            return _random.NextDouble() < probability;
    }

    /// <summary>
    /// The caller's user id. The services other than auth sit behind a gateway that checks the token and forwards
    /// the user as X-User-Id, as the Zoptal platform's gateway does; a request without it is answered 401.
    /// </summary>
    public static string? UserId(HttpContext context) =>
        context.Request.Headers["X-User-Id"].ToString() is { Length: > 0 and <= 128 } id ? id : null;

    /// <summary>The answer to a request without X-User-Id.</summary>
    public static IResult MissingUser() => Results.Json(new { error = "X-User-Id header required" }, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>A short random id (URL-safe).</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}

/// <summary>HS256 JSON Web Tokens: enough of RFC 7519 for access tokens that other services can check.</summary>
public sealed class TokenSigner(byte[] key)
{
    private static readonly string Header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);

    public string Create(string subject, string email, TimeSpan lifetime, DateTimeOffset now)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["email"] = email,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["jti"] = PlatformState.NewId(),
        });
        var signed = Header + "." + Base64Url(payload);
        return signed + "." + Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signed)));
    }

    /// <summary>The token's subject and expiry when its signature holds and it has not expired; else null.</summary>
    public (string Subject, string Email, DateTimeOffset Expires)? Validate(string token, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Header)
            return null;
        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        byte[] signature, payload;
        try
        {
            signature = FromBase64Url(parts[2]);
            payload = FromBase64Url(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
            return null;
        using var json = JsonDocument.Parse(payload);
        var expires = DateTimeOffset.FromUnixTimeSeconds(json.RootElement.GetProperty("exp").GetInt64());
        if (expires <= now)
            return null;
        return (json.RootElement.GetProperty("sub").GetString()!, json.RootElement.GetProperty("email").GetString()!, expires);
    }

    private static string Base64Url(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }
}
