using Spectre.Console;
using Zoptal.Build;
using Zoptal.Perf.Catalog;
using Zoptal.Perf.Runs;
using Zoptal.Perf.Runs.Display;

partial class Build
{
    Target LoadTest => _ => _
        .Description("Runs every configured service's load scenarios (the embedded sample platform by default)")
        .Executes(ct => RunAsync("LoadTest", stress: false, ct));

    Target Benchmark => _ => _
        .Description("The full suite: health checks, load phase, stress phase (STRESS_TEST_VUS, STRESS_TEST_DURATION)")
        .Executes(ct => RunAsync("Benchmark", stress: true, ct));

    async Task RunAsync(string target, bool stress, CancellationToken cancellation)
    {
        var outcome = await new LoadTestSession(ScenarioCatalog.Default, RunDisplay()).RunAsync(new RunRequest
        {
            Settings = LoadSettings(),
            Target = target,
            RootDirectory = RootDirectory,
            ConfigDisplayPath = ConfigFile.ToDisplayString(RootDirectory),
            Stress = stress,
            Git = new(GitHubActions.Sha, GitHubActions.Branch),
            Masker = Secrets,
        }, cancellation);
        ReportSummary("Run", Path.GetFileName(outcome.RunPath) + (outcome.Summary.Aborted ? " (aborted)" : string.Empty));
        ReportSummary("Requests", outcome.Summary.Phases.Sum(p => p.Services.Sum(s => s.Metrics.Requests)).ToString("N0"));
        if (outcome.Error is { } error)
            throw error;
    }

    // A live table on a terminal; a line per service and second on a CI server or when the output is a file.
    IRunDisplay RunDisplay() => LiveRunDisplay.Suits(IsServerBuild)
        ? new LiveRunDisplay(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }))
        : new PlainRunDisplay(m => Log.Output.Write(LogLevel.Information, m), m => Log.Output.Write(LogLevel.Warning, m));
}
