using System.Diagnostics;
using System.Security.Cryptography;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Probes.Resources;
using Zoptal.Perf.Runs.Console;
using Zoptal.Perf.Runs.Platform;
using Zoptal.Perf.Runs.Results;
using Zoptal.Perf.Scenarios;

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

    /// <summary>The secrets masked in everything the run writes; null: the process's shared masker.</summary>
    public Zoptal.Perf.Core.Secrets.SecretMasker? Masker { get; init; }
}

/// <summary>
/// A finished run: where it is, what it measured, and the exit code the target should end with. <paramref name="Failure"/>
/// says what went wrong when a target died mid-run (exit code 1; the results are written all the same).
/// </summary>
public sealed record RunOutcome(string RunPath, RunSummary Summary, int ExitCode, IReadOnlyList<string> FailedThresholds, string? Failure = null);

/// <summary>
/// One LoadTest or Benchmark run: checks the hosts, resolves scenarios, starts the embedded platform when the config
/// says <c>embedded</c>, checks health, runs each phase (services one after another, or all at once), shows
/// progress, and writes the results folder, also when interrupted or when a service dies mid-run.
/// </summary>
public sealed class LoadTestSession(ScenarioCatalog catalog, IRunDisplay display)
{
    public async Task<RunOutcome> RunAsync(RunRequest request, CancellationToken cancellation)
    {
        var settings = request.Settings;
        var config = settings.Config;
        // Before anything starts or is sent: hosts and scenarios (exit code 2 with positions in the file), the results folder.
        var scenarios = Preflight.Check(settings, catalog, request.ConfigDisplayPath, createResultsFolder: true);

        await using var platform = settings.Services.Any(s => s.Embedded) ? await StartPlatformAsync(request, cancellation) : null;
        var services = settings.Services.Select(s => s.Embedded ? s with { BaseUrl = EmbeddedUrl(s, platform!, request.ConfigDisplayPath) } : s).ToList();
        await HealthCheck.RequireAsync(services.Select(s => (s.Name, new Uri(s.BaseUrl!, s.HealthPath), HostGuard.For(s.BaseUrl, s.AllowedHosts))).ToList(),
            display.Info, cancellation);

        var started = DateTimeOffset.UtcNow;
        var git = GitInfoReader.Read(request.RootDirectory);
        var resultsRoot = config.ResultsRoot;
        var run = RunDirectory.Create(resultsRoot, started, git.Commit, request.Masker);
        display.Info($"run {run.RunId}: results in {Path.GetRelativePath(request.RootDirectory, run.FinalPath)}");
        run.Log($"run {run.RunId} ({request.Target}) started {started:O}");

        var phases = new List<PhaseSummary>();
        var series = new List<TimeSeriesRow>();
        var results = new List<LoadRunResult>();
        var failedThresholds = new List<string>();
        var plan = new List<(string Name, LoadConfig Load)> { (PhaseSummary.Load, config.Load) };
        if (request.Stress)
            plan.Add((PhaseSummary.Stress, config.Load with { Executor = ExecutorKind.ConstantVus, Vus = config.Load.Stress.Vus, Duration = config.Load.Stress.Duration, Stages = [] }));
        string? abortReason = null;
        string? targetDied = null;
        var resources = new List<WatchedResource>();
        DatabaseReport? databaseReport = null;
        foreach (var (phase, load) in plan)
        {
            if (cancellation.IsCancellationRequested || targetDied is not null)
            {
                abortReason ??= "interrupted before the " + phase + " phase";
                break;
            }

            var planned = PlannedDuration(load);
            display.Info($"{phase} phase: {NameCase.ToKebabCase(load.Executor.ToString())}, {load.Vus} VUs, {K6Duration.Format(planned)} per service, "
                         + (settings.Concurrent ? "all services at once" : "one service after another"));
            var serviceResults = new List<(ServiceConfig Service, LoadRunResult Result)>();
            TargetWatch? watch = null;

            async Task<(ServiceConfig, LoadRunResult)> RunService(ServiceConfig service)
            {
                var runner = new LoadRunner(new LoadRunOptions
                {
                    Scenarios = scenarios[service.Name],
                    Load = load,
                    BaseAddress = service.BaseUrl,
                    Service = service.Name,
                    Log = message => display.Info($"{phase} {service.Name}: {message}"),
                    HdrLogDirectory = Path.Combine(run.RawPath, phase, service.Name),
                    HostGuard = HostGuard.For(service.BaseUrl, service.AllowedHosts),
                    Masker = request.Masker,
                })
                {
                    StopReason = () => watch!.ReasonFor(service.Name),
                };
                runner.Progress += progress =>
                {
                    var line = ProgressLine.Format(phase, service.Name, progress, planned);
                    run.Log(line);
                    display.Progress(phase, service.Name, progress, planned, line);
                };
                return (service, await runner.RunAsync(watch!.For(service.Name)));
            }

            display.PhaseStarted(phase, services.Select(s => s.Name).ToList(), planned);
            // Benchmark analyses the database around its load phase; every phase watches the embedded platform's process.
            await using var database = request.Stress && phase == PhaseSummary.Load && config.Database is { } db
                ? await DatabaseWatch.StartAsync(db, cancellation)
                : null;
            await using var processes = platform is null ? null : new ResourceWatch([new ProcessSampler(platform.ProcessId, "sample platform")]);
            await using var containers = config.Docker is { Containers.Count: > 0 } docker ? new ContainerWatch(docker) : null;
            await using var targets = watch = new TargetWatch(phase, services, platform, containers, cancellation);
            try
            {
                if (settings.Concurrent)
                {
                    serviceResults.AddRange(await Task.WhenAll(services.Select(RunService)));
                }
                else
                {
                    foreach (var service in services)
                    {
                        if (cancellation.IsCancellationRequested || watch.Failure is not null)
                            break;
                        serviceResults.Add(await RunService(service));
                    }
                }
            }
            finally
            {
                display.PhaseFinished(phase);
            }

            if (watch.Failure is { } died)
            {
                targetDied ??= died;
                display.Warning(died);
            }

            if (processes is not null)
                resources.AddRange((await processes.StopAsync()).Select(r => new WatchedResource(phase, r, WatchedResource.Grade(r, config.Thresholds), Gated: false)));
            if (containers is not null)
            {
                foreach (var container in await containers.StopAsync())
                {
                    resources.Add(new WatchedResource(phase, container, WatchedResource.Grade(container, config.Thresholds), Gated: true));
                    if (container.Problem is { } problem)
                        display.Warning($"container {container.Name}: {problem}");
                }
            }
            if (database is not null)
            {
                databaseReport = await database.StopAsync(CancellationToken.None);
                foreach (var finding in databaseReport.Findings.Where(f => f.Severity >= Severity.Warning))
                    display.Info($"database: {finding.Title}{(finding.Suggestion is { } fix ? $" -> {fix}" : "")}");
            }

            var summaries = new List<ServiceSummary>();
            foreach (var (service, result) in serviceResults)
            {
                results.Add(result);
                summaries.Add(Summarize(service, result, load));
                series.AddRange(result.Intervals.Concat(result.Totals).OrderBy(i => i.Elapsed).Select(i => new TimeSeriesRow(phase, service.Name, i.Elapsed.TotalSeconds, i.Scenario, i.Requests, i.Errors, i.Iterations,
                    i.Dropped, i.Vus, i.LatencyP50, i.LatencyP95, i.LatencyP99, i.ServiceP99)
                {
                    IntervalSeconds = i.Length.TotalSeconds,
                    LatencyCorrectedP99 = i.LatencyCorrectedP99,
                }));
                failedThresholds.AddRange(result.Thresholds.Where(t => !t.Passed).Select(t => $"{phase} {service.Name}: {t}"));
                if (result.Aborted)
                    abortReason ??= $"{phase} {service.Name}: {result.AbortReason}";
            }

            phases.Add(new PhaseSummary(phase, NameCase.ToKebabCase(load.Executor.ToString()), load.Vus, planned.TotalSeconds, summaries));
            display.Table(phase, summaries);
        }

        if (cancellation.IsCancellationRequested)
            abortReason ??= "interrupted";
        var generator = results.SelectMany(r => r.Generator).ToList();
        var summary = new RunSummary
        {
            RunId = run.RunId,
            Target = request.Target,
            StartedAt = started,
            FinishedAt = DateTimeOffset.UtcNow,
            Aborted = abortReason is not null,
            AbortReason = abortReason,
            Git = git,
            ConfigFile = request.ConfigDisplayPath,
            ConfigDigest = Digest(config.SourcePath),
            Concurrent = settings.Concurrent,
            Phases = phases,
            Resources = resources,
            Database = databaseReport,
            GradedLatency = config.Load.GradedLatency,
            Generator = generator.Count == 0 ? null : new GeneratorSummary(generator.Max(g => g.CpuPercent), generator.Average(g => g.CpuPercent),
                generator.Max(g => g.ResidentBytes), generator.Any(g => g.CpuPercent > 80), generator),
        };
        run.Log(summary.Aborted ? $"run ended early: {abortReason}" : "run complete");
        run.Complete(summary, series);
        if (summary.Generator is { Bottleneck: true } g)
            display.Warning($"The load generator's CPU reached {g.CpuMaxPercent:0}% of all cores: part of the latency may be the generator's. Use fewer VUs or another machine.");
        display.Info($"results: {Path.GetRelativePath(request.RootDirectory, run.FinalPath)} (summary.json, timeseries.csv, raw/*.hlog, console.log); latest -> {run.RunId}");
        var exit = targetDied is not null ? ExitCodes.Failure : failedThresholds.Count > 0 ? ExitCodes.GateFailed : ExitCodes.Success;
        return new RunOutcome(run.FinalPath, summary, exit, failedThresholds, targetDied);
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

    private static ServiceSummary Summarize(ServiceConfig service, LoadRunResult result, LoadConfig load)
    {
        var duration = result.Duration;
        var all = result.Scenarios.Count == 0 ? null : OperationResult.Merge(result.Scenarios.Select(s => s.Requests));
        var metrics = all is null ? EmptyMetrics()
            : MetricSet.From(all, duration, result.Scenarios.Sum(s => s.PlannedIterations), result.Scenarios.Sum(s => s.DroppedIterations));
        var scenarioSummaries = result.Scenarios.Select(s =>
        {
            var set = MetricSet.From(s.Requests, duration, s.PlannedIterations, s.DroppedIterations);
            var table = service.Scenarios.FirstOrDefault(c => c.Name == s.Name)?.Thresholds ?? service.Thresholds;
            return new ScenarioSummary(s.Name, s.Iterations, s.FailedIterations, s.InterruptedIterations, s.DroppedIterations, set,
                set.Grade(table, throughput: false, load.GradedLatency, load.MaxDroppedPercent), s.Checks,
                s.Steps.Select(step => new StepSummary(step.Step!, MetricSet.From(step, duration))).ToList())
            {
                LatencyHistogram = HdrLog.Encode(s.Requests.LatencyHistogram),
            };
        }).ToList();
        return new ServiceSummary(service.Name, service.BaseUrl!.ToString(), service.Embedded, result.Aborted, result.AbortReason, duration.TotalSeconds,
            metrics, metrics.Grade(service.Thresholds, throughput: true, load.GradedLatency, load.MaxDroppedPercent),
            result.Thresholds.Select(t => new ThresholdOutcome(t.Definition.Selector.ToString(), t.Definition.Expression.Text, t.Passed, t.Actual)).ToList(),
            scenarioSummaries)
        {
            LatencyHistogram = all is null ? null : HdrLog.Encode(all.LatencyHistogram),
        };
    }

    private static MetricSet EmptyMetrics() => new(0, 0, new Dictionary<string, long>(), 0, 0, 0, 0, Load.Metrics.LatencySummary.Empty, Load.Metrics.LatencySummary.Empty);

    /// <summary>How long a phase's executor runs, without the graceful stop.</summary>
    public static TimeSpan PlannedDuration(LoadConfig load) => load.Executor switch
    {
        ExecutorKind.RampingVus or ExecutorKind.RampingArrivalRate => load.EffectiveStages().Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration),
        _ => load.Duration,
    };

    private static string Digest(string path) =>
        File.Exists(path) ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) : "none";
}

/// <summary>The commit and branch of the working tree (GitHub Actions' variables first).</summary>
public static class GitInfoReader
{
    public static GitInfo Read(string root)
    {
        var commit = Environment.GetEnvironmentVariable("GITHUB_SHA") is { Length: > 0 } sha ? sha : Git(root, "rev-parse", "HEAD");
        var branch = Environment.GetEnvironmentVariable("GITHUB_HEAD_REF") is { Length: > 0 } head ? head
            : Environment.GetEnvironmentVariable("GITHUB_REF_NAME") is { Length: > 0 } name ? name
            : Git(root, "rev-parse", "--abbrev-ref", "HEAD");
        return new GitInfo(commit, branch);
    }

    /// <summary>Whether <paramref name="commit"/> is <paramref name="descendant"/> or one of its ancestors.</summary>
    public static bool IsAncestor(string root, string commit, string descendant) =>
        commit == descendant || Run(root, "merge-base", "--is-ancestor", commit, descendant).ExitCode == 0;

    /// <summary>The output of a git command in <paramref name="root"/>, or null when it fails or prints nothing.</summary>
    public static string? Git(string root, params string[] arguments) => Run(root, arguments) is (0, { Length: > 0 } output) ? output : null;

    private static (int ExitCode, string Output) Run(string root, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in arguments)
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(5000);
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, string.Empty); // no git
        }
    }
}
