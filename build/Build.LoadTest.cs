using Spectre.Console;
using Zoptal.Build;
using Zoptal.Perf.Runs;
using Zoptal.Perf.Runs.Console;
using Zoptal.Perf.Scenarios;

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
        var output = Log.Output;
        // A live table on a terminal; a line per service and second under CI or when the output is a file.
        IRunDisplay display = LiveRunDisplay.Suits()
            ? new LiveRunDisplay(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }))
            : new PlainRunDisplay(m => output.Write(LogLevel.Information, m), m => output.Write(LogLevel.Warning, m));
        var outcome = await new LoadTestSession(ScenarioCatalog.Default, display).RunAsync(new RunRequest
        {
            Settings = LoadSettings(),
            Target = target,
            RootDirectory = RootDirectory,
            ConfigDisplayPath = ConfigFile.ToDisplayString(RootDirectory),
            Stress = stress,
            Masker = Secrets,
        }, cancellation);
        ReportSummary("Run", Path.GetFileName(outcome.RunPath) + (outcome.Summary.Aborted ? " (aborted)" : string.Empty));
        ReportSummary("Requests", outcome.Summary.Phases.Sum(p => p.Services.Sum(s => s.Metrics.Requests)).ToString("N0"));
        if (outcome.Failure is { } failure)
            throw new Zoptal.Perf.Core.RunFailedException($"{failure}. The results measured until then are in {Path.GetFileName(outcome.RunPath)}, marked aborted.");
        if (outcome.FailedThresholds.Count > 0)
            throw new Zoptal.Perf.Core.GateFailedException($"{outcome.FailedThresholds.Count} threshold(s) failed:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", outcome.FailedThresholds)}");
    }
}
