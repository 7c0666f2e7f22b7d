using System.Net.Http.Json;
using System.Text.Json;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog;

/// <summary>What every Zoptal scenario shares: the caller's user, JSON in and out, and the run's unique tag.</summary>
internal static class ZoptalClient
{
    /// <summary>Tells this generator's users and records apart from earlier runs against the same platform.</summary>
    public static readonly string RunTag = Guid.NewGuid().ToString("N")[..8];

    private const string UserKey = "zoptal.user";
    private const string TagKey = "zoptal.vu";
    private static long _vus;

    /// <summary>
    /// A tag unique to this VU in this process, across runs and phases (a Benchmark's stress phase numbers its VUs
    /// from 1 again, and the platform still has the load phase's users): emails and ids built from it never collide.
    /// </summary>
    public static string VuTag(ScenarioContext ctx)
    {
        if (ctx.State.TryGetValue(TagKey, out var tag))
            return (string)tag!;
        var created = $"{RunTag}-{Interlocked.Increment(ref _vus)}";
        ctx.State[TagKey] = created;
        return created;
    }

    /// <summary>
    /// The VU's user id, sent as X-User-Id on every request of the VU (the header the platform's gateway sets after
    /// checking the token). Set once per VU.
    /// </summary>
    public static string User(ScenarioContext ctx)
    {
        if (ctx.State.TryGetValue(UserKey, out var user))
            return (string)user!;
        var id = $"user-{VuTag(ctx)}";
        ctx.Http.DefaultRequestHeaders.Remove("X-User-Id");
        ctx.Http.DefaultRequestHeaders.TryAddWithoutValidation("X-User-Id", id);
        ctx.State[UserKey] = id;
        return id;
    }

    /// <summary>POSTs a JSON body.</summary>
    public static Task<HttpResponseMessage> PostJson(this ScenarioContext ctx, string path, object body) => ctx.Http.PostAsJsonAsync(path, body);

    /// <summary>PUTs a JSON body.</summary>
    public static Task<HttpResponseMessage> PutJson(this ScenarioContext ctx, string path, object body) => ctx.Http.PutAsJsonAsync(path, body);

    /// <summary>The body as JSON; an undefined element when it is not JSON (a failed request has an empty body).</summary>
    public static async Task<JsonElement> Json(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>A string property, or null.</summary>
    public static string? Str(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A number property, or null.</summary>
    public static double? Num(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    /// <summary>An array property's length, or -1.</summary>
    public static int Count(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : -1;

    /// <summary>Checks the status and returns whether it matched.</summary>
    public static bool Status(this ScenarioContext ctx, string what, HttpResponseMessage response, int expected) =>
        ctx.Check($"{what} is {expected}", (int)response.StatusCode == expected);
}
