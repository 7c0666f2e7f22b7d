using System.Diagnostics;
using System.Security.Cryptography;
using Zoptal.Perf.Catalog;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Probes.Resources;
using Zoptal.Perf.Results;
using Zoptal.Perf.Runs.Display;
using Zoptal.Perf.Runs.Platform;

namespace Zoptal.Perf.Runs;

/// <summary>What LoadTest or Benchmark asks for.</summary>
public sealed record RunRequest
{
    /// <summary>The config with the command line's overrides.</summary>
    public required EffectiveSettings Settings { get; init; }

    /// <summary>The target's name, recorded in summary.json.</summary>
    public required string Target { get; init; }

    /// <summary>The repository root: results and the embedded platform are found from it.</summary>
    public required string RootDirectory { get; init; }

    /// <summary>The config file as errors name it (perf-config.yml).</summary>
    public required string ConfigDisplayPath { get; init; }

    /// <summary>Benchmark adds a stress phase after the load phase.</summary>
    public bool Stress { get; init; }

    /// <summary>The built sample platform; null to locate it under src/.</summary>
    public string? PlatformAssembly { get; init; }

    /// <summary>The commit and branch the CI server names (the host's GitHub Actions context); null: the working tree's.</summary>
    public GitInfo? Git { get; init; }

    /// <summary>The secrets masked in everything the run writes; null: the process's shared masker.</summary>
    public Zoptal.Perf.Core.Secrets.SecretMasker? Masker { get; init; }
}

/// <summary>
/// A finished run: where it is, what it measured, and how the target ends. <see cref="Error"/> is decided once, here:
/// a target that died mid-run fails the run (exit code 1; the results are written all the same), failed k6 thresholds
/// fail the gate (exit code 99); null when the run passed.
/// </summary>
public sealed record RunOutcome(string RunPath, RunSummary Summary, IReadOnlyList<string> FailedThresholds, string? Failure = null)
{
    /// <summary>What the target throws to end with the right exit code; null when the run passed.</summary>
    public ExitCodeException? Error => Failure is not null
        ? new RunFailedException($"{Failure}. The results measured until then are in {Path.GetFileName(RunPath)}, marked aborted.")
        : FailedThresholds.Count > 0
            ? new GateFailedException($"{FailedThresholds.Count} threshold(s) failed:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", FailedThresholds)}")
            : null;

    /// <summary>The process's exit code for this outcome.</summary>
    public int ExitCode => Error?.ExitCode ?? ExitCodes.Success;
}

/// <summary>
/// One LoadTest or Benchmark run: checks the hosts, resolves scenarios, starts the embedded platform when the config
/// says <c>embedded</c>, checks health, runs each phase of the <see cref="RunPlan"/> with a <see cref="PhaseRunner"/>,
/// and writes the results folder (<see cref="RunSummarizer"/>), also when interrupted or when a service dies mid-run.
/// </summary>
public sealed class LoadTestSession(ScenarioCatalog catalog, IRunDisplay display)
{
    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellation)
    {
        var settings = request.Settings;
        // Before anything starts or is sent: hosts and scenarios (exit code 2 with positions in the file), the results folder.
        var scenarios = Preflight.Check(settings, catalog, request.ConfigDisplayPath, createResultsFolder: true);

        await using var platform = settings.Services.Any(s => s.Embedded) ? await StartPlatformAsync(request, cancellation) : null;
        var services = settings.Services.Select(s => s.Embedded ? s with { BaseUrl = EmbeddedUrl(s, platform!, request.ConfigDisplayPath) } : s).ToList();
        await HealthCheck.RequireAsync(services.Select(s => (s.Name, new Uri(s.BaseUrl!, s.HealthPath), HostGuard.For(s.BaseUrl, s.AllowedHosts))).ToList(),
            display.Info, cancellation);

        var started = DateTimeOffset.UtcNow;
        var git = GitInfoReader.Read(request.RootDirectory, request.Git);
        var run = RunDirectory.Create(settings.Config.ResultsRoot, started, git.Commit, request.Masker);
        display.Info($"run {run.RunId}: results in {Path.GetRelativePath(request.RootDirectory, run.FinalPath)}");
        run.Log($"run {run.RunId} ({request.Target}) started {started:O}");

        var phaseRunner = new PhaseRunner(settings, scenarios, services, platform, run, display, request.Masker);
        var phases = new List<PhaseResult>();
        string? interrupted = null;
        foreach (var phase in RunPlan.For(settings.Config, request.Stress))
        {
            if (cancellation.IsCancellationRequested || phases.Any(p => p.TargetDied is not null))
            {
                interrupted = "interrupted before the " + phase.Name + " phase";
                break;
            }

            phases.Add(await phaseRunner.RunAsync(phase, analyseDatabase: request.Stress && phase.Name == PhaseSummary.Load, cancellation));
        }

        var abortReason = phases.Select(p => p.AbortReason).FirstOrDefault(r => r is not null) ?? interrupted ?? (cancellation.IsCancellationRequested ? "interrupted" : null);
        var summary = RunSummarizer.Summary(run.RunId, request, started, git, abortReason, phases);
        run.Log(summary.Aborted ? $"run ended early: {abortReason}" : "run complete");
        run.Complete(summary, phases.SelectMany(p => p.Series));
        if (summary.Generator is { Bottleneck: true } g)
            display.Warning($"The load generator's CPU reached {g.CpuMaxPercent:0}% of all cores: part of the latency may be the generator's. Use fewer VUs or another machine.");
        display.Info($"results: {Path.GetRelativePath(request.RootDirectory, run.FinalPath)} (summary.json, timeseries.csv, raw/*.hlog, console.log); latest -> {run.RunId}");
        return new RunOutcome(run.FinalPath, summary, [.. phases.SelectMany(p => p.FailedThresholds)], phases.Select(p => p.TargetDied).FirstOrDefault(d => d is not null));
    }

    private async Task<EmbeddedPlatform> StartPlatformAsync(RunRequest request, CancellationToken cancellation)
    {
        var assembly = request.PlatformAssembly ?? EmbeddedPlatform.Locate(request.RootDirectory)
            ?? throw new RunFailedException("The sample platform is not built (src/Zoptal.SamplePlatform/bin is empty). Run ./build.sh Compile.");
        // With a database in the config the platform keeps its data there (the connection string, with the password from
        // the environment, goes to the child through its environment, never its command line).
        var environment = new Dictionary<string, string>();
        if (request.Settings.Config.Database is { } database)
        {
            var connection = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = database.ConnectionString };
            if (database.Password is { } password)
                connection["Password"] = password;
            environment["ZOPTAL_SAMPLE_POSTGRES"] = connection.ConnectionString;
        }

        display.Info($"starting the embedded sample platform on loopback ({(environment.Count > 0 ? "data in PostgreSQL" : "data in memory")}) ...");
        return await EmbeddedPlatform.StartAsync(assembly, [], display.Info, cancellation, environment);
    }

    private static Uri EmbeddedUrl(ServiceConfig service, EmbeddedPlatform platform, string configFile) =>
        platform.Urls.TryGetValue(service.Name, out var url) ? url : throw new ConfigurationException(
        [
            (service.BaseUrlAt ?? new SourcePosition(1, 1, service.Name)).Error(configFile,
                $"service '{service.Name}' is embedded, but the sample platform has no such service",
                $"the sample platform plays {string.Join(", ", platform.Urls.Keys)}; give this service a baseUrl"),
        ]);
}
