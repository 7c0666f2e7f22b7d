using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Perf.Results;

/// <summary>
/// <c>performance-results/&lt;runId&gt;/</c>, written atomically: everything goes into a hidden <c>.&lt;runId&gt;.partial</c>
/// folder, which becomes the run's folder by one rename when the run is complete (or ended early and marked aborted);
/// only then does <c>latest</c> name it. A run killed outright leaves only the partial folder, never a half-written run.
/// Everything it writes passes the secret masker first: summary.json as a JSON document (before encoding, so an escaped
/// character cannot hide a secret), the console log and the series line by line.
/// </summary>
public sealed class RunDirectory
{
    /// <summary>JSON as the results are written: camelCase, indented, enums as strings.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly StreamWriter _console;
    private readonly SecretMasker _masker;

    private RunDirectory(string resultsRoot, string runId, SecretMasker masker)
    {
        ResultsRoot = resultsRoot;
        RunId = runId;
        _masker = masker;
        Directory.CreateDirectory(WorkingPath);
        Directory.CreateDirectory(RawPath);
        _console = new StreamWriter(Path.Combine(WorkingPath, ResultsFolder.ConsoleLog), append: false, new UTF8Encoding(false)) { AutoFlush = true };
    }

    public string ResultsRoot { get; }

    public string RunId { get; }

    /// <summary>Where files go while the run is in progress.</summary>
    public string WorkingPath => Path.Combine(ResultsRoot, $".{RunId}.partial");

    /// <summary>Where the run ends up.</summary>
    public string FinalPath => Path.Combine(ResultsRoot, RunId);

    /// <summary>The HDR interval logs.</summary>
    public string RawPath => Path.Combine(WorkingPath, ResultsFolder.RawFolder);

    /// <summary>Creates the folder of a new run: <c>yyyyMMdd-HHmmss</c> plus the short commit, made unique.</summary>
    public static RunDirectory Create(string resultsRoot, DateTimeOffset started, string? commit, SecretMasker? masker = null)
    {
        Directory.CreateDirectory(resultsRoot);
        var stem = started.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (commit is { Length: >= 7 } ? "-" + commit[..7] : string.Empty);
        var id = stem;
        for (var n = 2; Directory.Exists(Path.Combine(resultsRoot, id)) || Directory.Exists(Path.Combine(resultsRoot, $".{id}.partial")); n++)
            id = $"{stem}-{n}";
        return new RunDirectory(resultsRoot, id, masker ?? SecretMasker.Shared);
    }

    /// <summary>Appends a line to the run's console log (and nothing else).</summary>
    public void Log(string line)
    {
        lock (_console)
            _console.WriteLine(_masker.Apply(line));
    }

    /// <summary>Writes summary.json and timeseries.csv, then makes the run visible: rename, and point <c>latest</c> at it.</summary>
    public void Complete(RunSummary summary, IEnumerable<TimeSeriesRow> series)
    {
        WriteAtomically(ResultsFolder.SummaryFile, stream => WriteJson(stream, summary, _masker));
        WriteAtomically(ResultsFolder.SeriesFile, stream => TimeSeriesRow.Write(stream, series, _masker));
        lock (_console)
            _console.Dispose();
        Directory.Move(WorkingPath, FinalPath);
        PointLatest();
    }

    // Under a temporary name, flushed to disk and renamed: readers see all of the file or none of it.
    private void WriteAtomically(string name, Action<Stream> write) => Zoptal.Perf.Core.IO.AtomicFile.Write(Path.Combine(WorkingPath, name), write);

    /// <summary>A value as results JSON, its strings masked before they are encoded.</summary>
    public static void WriteJson<T>(Stream stream, T value, SecretMasker masker)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = Json.Encoder });
        masker.Apply(JsonSerializer.SerializeToNode(value, Json))!.WriteTo(writer, Json);
    }

    // A symbolic link where the system has them (so performance-results/latest/summary.json works), else a file
    // holding the run id; replaced by a rename, so readers never see it missing.
    private void PointLatest()
    {
        var latest = Path.Combine(ResultsRoot, ResultsFolder.Latest);
        var temporary = Path.Combine(ResultsRoot, $".latest.{Environment.ProcessId}");
        if (File.Exists(temporary) || Directory.Exists(temporary))
            File.Delete(temporary);
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(temporary, RunId + Environment.NewLine);
            File.Move(temporary, latest, overwrite: true);
            return;
        }

        File.CreateSymbolicLink(temporary, RunId);
        // rename(2) replaces an existing link atomically; File.Move would follow it.
        if (Rename(temporary, latest) != 0)
        {
            File.Delete(latest);
            File.Move(temporary, latest);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string from, string to);
}

/// <summary>One interval (a second, or the shorter last one) of one scenario: a row of timeseries.csv.</summary>
public sealed record TimeSeriesRow(string Phase, string Service, double Second, string Scenario, long Requests, long Errors, long Iterations, long Dropped, int Vus,
    double LatencyP50, double LatencyP95, double LatencyP99, double ServiceP99)
{
    /// <summary>The CSV header.</summary>
    public const string Header = "phase,service,second,scenario,requests,errors,iterations,dropped,vus,latency_p50_ms,latency_p95_ms,latency_p99_ms,service_p99_ms,interval_s,latency_corrected_p99_ms";

    /// <summary>The interval's real length in seconds (the row's counts are over it; 1 in files written before it was recorded).</summary>
    public double IntervalSeconds { get; init; } = 1;

    /// <summary>The corrected latency's p99 in the interval; NaN in files written before it was recorded.</summary>
    public double LatencyCorrectedP99 { get; init; } = double.NaN;

    /// <summary>Requests per second over the interval's real length.</summary>
    public double RequestsPerSecond => IntervalSeconds > 0 ? Requests / IntervalSeconds : 0;

    /// <summary>Writes the rows as CSV (invariant culture).</summary>
    public static void Write(Stream stream, IEnumerable<TimeSeriesRow> rows, SecretMasker? masker = null)
    {
        masker ??= SecretMasker.Shared;
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        writer.WriteLine(Header);
        foreach (var r in rows)
        {
            writer.WriteLine(string.Join(',',
                masker.Apply(r.Phase), masker.Apply(r.Service), r.Second.ToString("0.0##", CultureInfo.InvariantCulture), masker.Apply(r.Scenario),
                r.Requests.ToString(CultureInfo.InvariantCulture), r.Errors.ToString(CultureInfo.InvariantCulture),
                r.Iterations.ToString(CultureInfo.InvariantCulture), r.Dropped.ToString(CultureInfo.InvariantCulture), r.Vus.ToString(CultureInfo.InvariantCulture),
                Ms(r.LatencyP50), Ms(r.LatencyP95), Ms(r.LatencyP99), Ms(r.ServiceP99), r.IntervalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
                double.IsNaN(r.LatencyCorrectedP99) ? "" : Ms(r.LatencyCorrectedP99)));
        }
    }

    private static string Ms(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
