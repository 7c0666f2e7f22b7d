using System.Globalization;
using System.Text.Json;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Results;

/// <summary>
/// One interval of a service or scenario (a second, or the run's shorter last one): requests, errors and latency
/// percentiles (ms) of that interval; <paramref name="Second"/> is its end, <paramref name="Interval"/> its length in seconds.
/// </summary>
public readonly record struct SeriesPoint(double Second, long Requests, long Errors, double P50, double P95, double P99, double Interval = 1)
{
    /// <summary>Requests per second over the interval's real length.</summary>
    public double RequestsPerSecond => Interval > 0 ? Requests / Interval : Requests;
}

/// <summary>
/// A run's per-second series (timeseries.csv), by phase, service and scenario; the service's own series is the
/// row with an empty scenario (percentiles from the merged interval histograms of all its scenarios).
/// </summary>
public sealed class RunSeries
{
    private readonly Dictionary<string, List<SeriesPoint>> _series;

    private RunSeries(Dictionary<string, List<SeriesPoint>> series) => _series = series;

    /// <summary>No seconds at all (a run without timeseries.csv).</summary>
    public static RunSeries Empty { get; } = new([]);

    /// <summary>The key of a series: <c>load/auth</c> for the service, <c>load/auth/login</c> for a scenario.</summary>
    public static string Key(string phase, string service, string? scenario = null) =>
        string.IsNullOrEmpty(scenario) ? $"{phase}/{service}" : $"{phase}/{service}/{scenario}";

    /// <summary>Every series, by key.</summary>
    public IReadOnlyDictionary<string, List<SeriesPoint>> All => _series;

    /// <summary>The seconds of a service (scenario null) or scenario, in order; empty when the run has none.</summary>
    public IReadOnlyList<SeriesPoint> Of(string phase, string service, string? scenario = null) =>
        _series.TryGetValue(Key(phase, service, scenario), out var points) ? points : [];

    /// <summary>Reads a run's timeseries.csv; a run written before service rows existed gets them summed from its scenarios.</summary>
    public static RunSeries Read(string csvPath)
    {
        if (!File.Exists(csvPath))
            return Empty;
        var rows = new List<TimeSeriesRow>();
        using var reader = new StreamReader(csvPath);
        var header = reader.ReadLine();
        // Runs written before the interval length and the corrected p99 were recorded have the first 13 columns.
        var fields = header == TimeSeriesRow.Header ? 15 : header == TimeSeriesRow.Header[..TimeSeriesRow.Header.IndexOf(",interval_s", StringComparison.Ordinal)] ? 13 : 0;
        if (fields == 0)
            throw new InvalidDataException($"{csvPath}:1: unexpected header; this Report reads '{TimeSeriesRow.Header}'.");
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            var f = line.Split(',');
            if (f.Length != fields)
                throw new InvalidDataException($"{csvPath}:{lineNumber}: expected {fields} fields, found {f.Length}.");
            rows.Add(new TimeSeriesRow(f[0], f[1], D(f[2]), f[3], L(f[4]), L(f[5]), L(f[6]), L(f[7]), (int)L(f[8]), D(f[9]), D(f[10]), D(f[11]), D(f[12]))
            {
                IntervalSeconds = fields > 13 ? D(f[13]) : 1,
                LatencyCorrectedP99 = fields > 14 && f[14].Length > 0 ? D(f[14]) : double.NaN,
            });
        }

        return From(rows);

        static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);
        static long L(string text) => long.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>The series of timeseries rows (as a run writes them).</summary>
    public static RunSeries From(IEnumerable<TimeSeriesRow> rows)
    {
        var series = new Dictionary<string, List<SeriesPoint>>();
        var hasServiceRows = false;
        foreach (var row in rows)
        {
            hasServiceRows |= row.Scenario.Length == 0;
            var key = Key(row.Phase, row.Service, row.Scenario);
            if (!series.TryGetValue(key, out var points))
                series[key] = points = [];
            points.Add(new SeriesPoint(row.Second, row.Requests, row.Errors, row.LatencyP50, row.LatencyP95, row.LatencyP99, row.IntervalSeconds));
        }

        if (!hasServiceRows)
            AddServiceTotals(series);
        return new RunSeries(series);
    }

    // Older runs: requests and errors add up exactly; a percentile of the whole cannot be rebuilt from the scenarios'
    // percentiles, so the busiest scenario's stands in.
    private static void AddServiceTotals(Dictionary<string, List<SeriesPoint>> series)
    {
        foreach (var group in series.ToList().GroupBy(s => s.Key[..s.Key.LastIndexOf('/')]).Where(g => g.Key.Contains('/')))
        {
            series[group.Key] = group.SelectMany(s => s.Value).GroupBy(p => p.Second).OrderBy(g => g.Key)
                .Select(g =>
                {
                    var busiest = g.MaxBy(p => p.Requests);
                    return new SeriesPoint(g.Key, g.Sum(p => p.Requests), g.Sum(p => p.Errors), busiest.P50, busiest.P95, busiest.P99, busiest.Interval);
                }).ToList();
        }
    }

    /// <summary>Compact JSON for the history store: <c>{"load/auth": [[second, requests, errors, p50, p95, p99, interval], ...]}</c>.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            foreach (var (key, points) in _series)
            {
                json.WriteStartArray(key);
                foreach (var p in points)
                {
                    json.WriteStartArray();
                    json.WriteNumberValue(p.Second);
                    json.WriteNumberValue(p.Requests);
                    json.WriteNumberValue(p.Errors);
                    json.WriteNumberValue(Math.Round(p.P50, 3));
                    json.WriteNumberValue(Math.Round(p.P95, 3));
                    json.WriteNumberValue(Math.Round(p.P99, 3));
                    json.WriteNumberValue(Math.Round(p.Interval, 3));
                    json.WriteEndArray();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The series <see cref="ToJson"/> wrote.</summary>
    public static RunSeries FromJson(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return Empty;
        using var document = JsonDocument.Parse(text);
        var series = new Dictionary<string, List<SeriesPoint>>();
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var points = new List<SeriesPoint>(property.Value.GetArrayLength());
            foreach (var p in property.Value.EnumerateArray())
                points.Add(new SeriesPoint(p[0].GetDouble(), p[1].GetInt64(), p[2].GetInt64(), p[3].GetDouble(), p[4].GetDouble(), p[5].GetDouble(),
                    p.GetArrayLength() > 6 ? p[6].GetDouble() : 1));
            series[property.Name] = points;
        }

        return new RunSeries(series);
    }
}
