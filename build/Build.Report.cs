using Zoptal.Build;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Reporting;

partial class Build
{
    [Parameter("The run to report on, by id (a folder of performance-results/). Default: the newest (latest)", Name = "run")]
    readonly string? ReportRun;

    [Parameter("Gate policy, overriding perf-config.yml's gate.failOn: critical, warning, regression or never")]
    readonly GateFailOn? FailOn;

    Target Report => _ => _
        .Description("The release gate: grades the run, writes Markdown, JSON and JUnit reports, exits 99 when the gate fails")
        .Executes(() =>
        {
            var config = LoadSettings().Config;
            var resultsRoot = Path.GetFullPath(Path.Combine(RootDirectory, config.Results.Directory));
            var outcome = ReportSession.Run(resultsRoot, ReportRun, config.Gate, FailOn, DateTimeOffset.UtcNow, config.Results);
            if (outcome.HistoryPath is { } history)
                Log.Information($"recorded the run in {Path.GetRelativePath(RootDirectory, history)}");
            foreach (var file in outcome.Files)
                Log.Information($"wrote {Path.GetRelativePath(RootDirectory, file)}");
            foreach (var note in outcome.Gate.Notes)
                Log.Information(note);
            ReportSummary("Run", Path.GetFileName(outcome.RunPath));
            ReportSummary("Gate", $"{(outcome.Gate.Passed ? "passed" : "FAILED")} (fail on {outcome.Gate.Policy.ToString().ToLowerInvariant()})");
            if (Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY") is { Length: > 0 } stepSummary)
                File.AppendAllText(stepSummary, outcome.Markdown + Environment.NewLine);
            if (!outcome.Gate.Passed)
                throw new GateFailedException($"The performance gate failed ({outcome.Gate.Reasons.Count} reason(s)):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", outcome.Gate.Reasons)}");
        });
}
