using Zoptal.Build;
using Zoptal.Perf.Core.Configuration;

partial class Build
{
    [Parameter("The configuration file. Default: perf-config.yml in the root")]
    readonly AbsolutePath? Config;

    [Parameter("Virtual users of the load phase (perf-config.yml: load.vus, 50)", EnvironmentVariables = ["LOAD_TEST_VUS"])]
    readonly int? Vus;

    [Parameter("Duration of the load phase, as k6 writes it: 30s, 5m (perf-config.yml: load.duration, 300s)", EnvironmentVariables = ["LOAD_TEST_DURATION"])]
    readonly TimeSpan? Duration;

    [Parameter("Virtual users of Benchmark's stress phase (perf-config.yml: load.stress.vus, 100)", EnvironmentVariables = ["STRESS_TEST_VUS"])]
    readonly int? StressVus;

    [Parameter("Duration of Benchmark's stress phase (perf-config.yml: load.stress.duration, 60s)", EnvironmentVariables = ["STRESS_TEST_DURATION"])]
    readonly TimeSpan? StressDuration;

    [Parameter("Run every service's load at once instead of one after another")]
    readonly bool Concurrent;

    [Parameter("Services to test, by name: --services auth,project. Default: all", Separator = ",")]
    readonly string[] Services = [];

    AbsolutePath ConfigFile => Config ?? RootDirectory / PerfConfigLoader.DefaultFileName;

    /// <summary>The config with the command line's overrides; loading it reports every error at once (exit code 2).</summary>
    EffectiveSettings LoadSettings() => EffectiveSettings.Resolve(
        PerfConfigLoader.Load(ConfigFile, EnvironmentVariables, Secrets, ConfigFile.ToDisplayString(RootDirectory)),
        new LoadOverrides(Vus, Duration, StressVus, StressDuration, Concurrent, Services));

    Target ValidateConfig => _ => _
        .Description("Checks perf-config.yml as LoadTest would before sending a request, and shows the settings a run would use")
        .Executes(() =>
        {
            var settings = LoadSettings();
            // Every check LoadTest makes before it sends a request: hosts, scenarios, the results folder.
            Zoptal.Perf.Runs.Preflight.Check(settings, Zoptal.Perf.Catalog.ScenarioCatalog.Default, ConfigFile.ToDisplayString(RootDirectory), createResultsFolder: false);
            foreach (var line in settings.Describe())
                Log.Information(line);
            ReportSummary("Services", settings.Services.Count.ToString());
        });
}
