using System.Globalization;
using System.Text.Json;

namespace Zoptal.Perf.Optimize;

/// <summary>
/// What the newest run measured that a finding should change: the database's cache hit rate and slowest statement
/// for PostgreSQL memory and index findings, the services' p95 and requests/s for Node and PM2 findings, the watched
/// resources' CPU and memory for limits. Read from performance-results/latest/summary.json.
/// </summary>
public sealed class Expectations
{
    private readonly string? _cache;
    private readonly string? _slowest;
    private readonly Dictionary<string, string> _services = new(StringComparer.Ordinal);
    private readonly string? _resources;

    private Expectations(JsonElement run)
    {
        if (run.TryGetProperty("database", out var db) && db.ValueKind == JsonValueKind.Object)
        {
            if (db.TryGetProperty("tableCacheHitPercent", out var hit) && hit.ValueKind == JsonValueKind.Number)
                _cache = string.Create(CultureInfo.InvariantCulture, $"table cache hit rate {hit.GetDouble():0.##} %");
            if (db.TryGetProperty("slowestQueries", out var slowest) && slowest.GetArrayLength() > 0)
                _slowest = string.Create(CultureInfo.InvariantCulture, $"slowest statement's mean {slowest[0].GetProperty("meanMs").GetDouble():0.##} ms");
        }

        foreach (var phase in run.GetProperty("phases").EnumerateArray().Where(p => p.GetProperty("name").GetString() == "load"))
        {
            foreach (var service in phase.GetProperty("services").EnumerateArray())
            {
                var metrics = service.GetProperty("metrics");
                _services[service.GetProperty("name").GetString()!] = string.Create(CultureInfo.InvariantCulture,
                    $"p95 {metrics.GetProperty("latency").GetProperty("p95").GetDouble():0.#} ms, {metrics.GetProperty("requestsPerSecond").GetDouble():0.#} req/s");
            }
        }

        if (run.TryGetProperty("resources", out var resources) && resources.GetArrayLength() > 0)
        {
            _resources = string.Join("; ", resources.EnumerateArray().Where(r => r.GetProperty("phase").GetString() == "load").Select(r => r.GetProperty("resource"))
                .Where(r => r.GetProperty("problem").ValueKind == JsonValueKind.Null)
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.GetProperty("name").GetString()} CPU {r.GetProperty("cpuMeanPercent").GetDouble():0.#} %, memory {r.GetProperty("memoryMaxPercent").GetDouble():0.#} %")));
        }
    }

    /// <summary>The newest run's numbers, or null when there is no complete run.</summary>
    public static Expectations? FromNewestRun(string resultsRoot)
    {
        var path = Path.Combine(resultsRoot, "latest", "summary.json");
        if (!File.Exists(path))
            return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.TryGetProperty("phases", out _) ? new Expectations(document.RootElement.Clone()) : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The metrics a finding should move, with their values in the newest run; null when the run measured none of them.</summary>
    public string? For(Finding finding)
    {
        string? Services(string? match = null)
        {
            var picked = _services.Where(s => match is null || match.Contains(s.Key, StringComparison.OrdinalIgnoreCase)).Select(s => $"{s.Key} {s.Value}").ToList();
            return picked.Count == 0 ? null : string.Join("; ", picked);
        }

        return finding.RuleId switch
        {
            "pgtune-shared-buffers" or "pgtune-effective-cache-size" => _cache,
            "pgtune-work-mem" or "postgres-missing-index" or "postgres-analyze" => Join(_slowest, Services()),
            "pm2-instances" or "pm2-max-memory-restart" or "pm2-heap" or "pm2-uv-threadpool" => Services(finding.Title.Split(':')[0]) ?? Services(),
            "node-env-production" or "cmd-node-not-npm" => Services(finding.File) ?? Services(),
            "compose-limits" or "DL3002" => _resources,
            _ => null,
        };

        static string? Join(params string?[] parts) => parts.Any(p => p is not null) ? string.Join("; ", parts.OfType<string>()) : null;
    }
}
