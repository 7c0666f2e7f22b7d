using System.Text.Json;
using Zoptal.Perf.Core;

namespace Zoptal.Perf.Results;

/// <summary>
/// The results folder's layout and how runs are found and read in it: <c>performance-results/&lt;runId&gt;/</c> with
/// <see cref="SummaryFile"/>, <see cref="SeriesFile"/>, <see cref="ConsoleLog"/> and <see cref="RawFolder"/>, and
/// <see cref="Latest"/> naming the newest. Only complete runs count (a folder with summary.json; a run in progress is a
/// hidden <c>.&lt;runId&gt;.partial</c> folder). <c>latest</c> is a convenience, never needed: actions/upload-artifact
/// turns the link into a copied folder, and a downloaded artifact may hold runs without it, so the newest run is also
/// found by its id, which starts with its UTC start time.
/// </summary>
public static class ResultsFolder
{
    /// <summary>The run, complete and typed (<see cref="RunSummary"/>).</summary>
    public const string SummaryFile = "summary.json";

    /// <summary>Per-second rows (<see cref="TimeSeriesRow"/>).</summary>
    public const string SeriesFile = "timeseries.csv";

    /// <summary>What the run printed, masked.</summary>
    public const string ConsoleLog = "console.log";

    /// <summary>HDR interval logs, <c>raw/&lt;phase&gt;/&lt;service&gt;/&lt;scenario&gt;.hlog</c>.</summary>
    public const string RawFolder = "raw";

    /// <summary>The link (or, where links are missing, the file holding the run id) that names the newest run.</summary>
    public const string Latest = "latest";

    /// <summary>The ids of the complete runs, newest first.</summary>
    public static IReadOnlyList<string> RunIds(string resultsRoot) => Directory.Exists(resultsRoot)
        ? [.. Directory.GetDirectories(resultsRoot).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.') && n != Latest && IsComplete(Path.Combine(resultsRoot, n))).OrderDescending(StringComparer.Ordinal)]
        : [];

    /// <summary>Whether a folder holds a complete run.</summary>
    public static bool IsComplete(string runPath) => File.Exists(Path.Combine(runPath, SummaryFile));

    /// <summary>
    /// The folder of the run <paramref name="runId"/>, or of the newest run when it is null: the one <c>latest</c> names
    /// when it is a link or a file naming a complete run, otherwise the complete run with the greatest id. Null when
    /// there is none.
    /// </summary>
    public static string? TryFind(string resultsRoot, string? runId = null)
    {
        if (runId is not null)
        {
            var path = Path.Combine(resultsRoot, runId);
            return runId.Length > 0 && runId.IndexOfAny(['/', '\\']) < 0 && runId is not ("." or ".." or Latest) && IsComplete(path) ? path : null;
        }

        if (LatestTarget(resultsRoot) is { } named && IsComplete(Path.Combine(resultsRoot, named)))
            return Path.Combine(resultsRoot, named);
        if (RunIds(resultsRoot) is [var newest, ..])
            return Path.Combine(resultsRoot, newest);
        // Only a copied latest folder (an artifact that kept nothing else): the run it holds.
        var copied = Path.Combine(resultsRoot, Latest);
        return Directory.Exists(copied) && IsComplete(copied) ? copied : null;
    }

    /// <summary><see cref="TryFind"/>, or an error for the parameter that asked (exit code 2) listing the runs there are.</summary>
    public static string Find(string resultsRoot, string? runId, string parameter = "--run")
    {
        if (TryFind(resultsRoot, runId) is { } path)
            return path;
        var known = RunIds(resultsRoot).Take(5).ToList();
        var runs = known.Count == 0 ? "There are no runs yet: run ./build.sh LoadTest or Benchmark first." : $"Newest runs: {string.Join(", ", known)}.";
        throw runId is null
            ? new InvalidParameterException($"No run to report on: {resultsRoot} holds no complete run. Run ./build.sh LoadTest or Benchmark first.")
            : new InvalidParameterException($"Invalid value '{runId}' for parameter '{parameter}': no run with that id in {resultsRoot}. {runs}");
    }

    /// <summary>A run's summary.json; a schema version this reader does not know, or a file that is not one, fails the run (exit code 1).</summary>
    public static RunSummary ReadSummary(string runPath)
    {
        var path = Path.Combine(runPath, SummaryFile);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var version = document.RootElement.TryGetProperty("schemaVersion", out var v) && v.TryGetInt32(out var n) ? n : 0;
            if (version != RunSummary.CurrentSchemaVersion)
                throw new RunFailedException($"{path} has schema version {version}; this version of Zoptal.Perf reads version {RunSummary.CurrentSchemaVersion}.");
            return document.RootElement.Deserialize<RunSummary>(RunDirectory.Json) ?? throw new RunFailedException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new RunFailedException($"{path} is not a run summary: {e.Message}");
        }
    }

    /// <summary>The newest run's summary, or null when there is no complete, readable one (for advice that only uses it when it is there).</summary>
    public static RunSummary? TryReadNewest(string resultsRoot)
    {
        if (TryFind(resultsRoot) is not { } path)
            return null;
        try
        {
            return ReadSummary(path);
        }
        catch (Exception e) when (e is RunFailedException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A run's timeseries.csv; empty when the run has none; a malformed file fails the run (exit code 1).</summary>
    public static RunSeries ReadSeries(string runPath)
    {
        try
        {
            return RunSeries.Read(Path.Combine(runPath, SeriesFile));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            throw new RunFailedException(e.Message);
        }
    }

    // What latest names: a link's target, or the run id a file holds (systems without symbolic links); null when
    // latest is missing or a plain folder (an artifact's copy of the run, not a name).
    internal static string? LatestTarget(string resultsRoot)
    {
        var latest = new FileInfo(Path.Combine(resultsRoot, Latest));
        if (latest.LinkTarget is { } target)
            return target;
        return latest.Exists ? File.ReadAllText(latest.FullName).Trim() : null;
    }
}
