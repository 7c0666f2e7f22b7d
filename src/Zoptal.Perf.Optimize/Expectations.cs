using System.Globalization;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Optimize;

/// <summary>
/// What the newest run measured that a finding should change: the database's cache hit rate and slowest statement
/// for PostgreSQL memory and index findings, the services' p95 and requests/s for Node and PM2 findings, the watched
/// resources' CPU and memory for limits. Read from the newest run's summary.json.
/// </summary>
public sealed class Expectations
{
    private readonly string? _cache;
    private readonly string? _slowest;
    private readonly Dictionary<string, string> _services = new(StringComparer.Ordinal);
    private readonly string? _resources;

    /// <summary>The numbers of a run (the newest, as Optimize reads it).</summary>
    public Expectations(RunSummary run)
    {
        if (run.Database is { } db)
        {
            if (db.TableCacheHitPercent is { } hit)
                _cache = string.Create(CultureInfo.InvariantCulture, $"table cache hit rate {hit:0.##} %");
            if (db.SlowestQueries is [var slowest, ..])
                _slowest = string.Create(CultureInfo.InvariantCulture, $"slowest statement's mean {slowest.MeanMs:0.##} ms");
        }

        foreach (var service in run.Phases.Where(p => p.Name == PhaseSummary.Load).SelectMany(p => p.Services))
            _services[service.Name] = string.Create(CultureInfo.InvariantCulture, $"p95 {service.Metrics.Latency.P95:0.#} ms, {service.Metrics.RequestsPerSecond:0.#} req/s");

        var resources = run.Resources.Where(r => r.Phase == PhaseSummary.Load && r.Resource.Problem is null)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Resource.Name} CPU {r.Resource.CpuMeanPercent:0.#} %, memory {r.Resource.MemoryMaxPercent:0.#} %")).ToList();
        if (run.Resources.Count > 0)
            _resources = string.Join("; ", resources);
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
