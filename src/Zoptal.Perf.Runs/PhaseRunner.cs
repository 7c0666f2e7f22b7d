using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Scenarios;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Probes.Resources;
using Zoptal.Perf.Results;
using Zoptal.Perf.Runs.Display;
using Zoptal.Perf.Runs.Platform;

namespace Zoptal.Perf.Runs;

/// <summary>
/// What one phase measured: its summary and series, the engine's results (for the generator's samples), the watched
/// resources and the database analysis, the failed k6 thresholds, the first aborted service's reason, and the death
/// of a target that ends the run.
/// </summary>
public sealed record PhaseResult(
    PhaseSummary Summary,
    IReadOnlyList<TimeSeriesRow> Series,
    IReadOnlyList<LoadRunResult> Results,
    IReadOnlyList<WatchedResource> Resources,
    DatabaseReport? Database,
    IReadOnlyList<string> FailedThresholds,
    string? AbortReason,
    string? TargetDied);

/// <summary>
/// Runs one phase: every service's load (one after another, or all at once), while watching the targets for death
/// (<see cref="TargetWatch"/>), the embedded platform's process and the configured containers for CPU and memory, and,
/// around Benchmark's load phase, the database; then summarizes what each watcher and each service measured.
/// </summary>
internal sealed class PhaseRunner(
    EffectiveSettings settings,
    IReadOnlyDictionary<string, IReadOnlyList<Scenario>> scenarios,
    IReadOnlyList<ServiceConfig> services,
    EmbeddedPlatform? platform,
    RunDirectory run,
    IRunDisplay display,
    SecretMasker? masker)
{
    public async Task<PhaseResult> RunAsync(PlannedPhase phase, bool analyseDatabase, CancellationToken cancellation)
    {
        var config = settings.Config;
        display.Info($"{phase.Name} phase: {NameCase.ToKebabCase(phase.Load.Executor.ToString())}, {phase.Load.Describe()}, {K6Duration.Format(phase.Duration)} per service, "
                     + (settings.Concurrent ? "all services at once" : "one service after another"));
        display.PhaseStarted(phase.Name, services.Select(s => s.Name).ToList(), phase.Duration);
        await using var database = analyseDatabase && config.Database is { } db ? await DatabaseWatch.StartAsync(db, cancellation) : null;
        await using var processes = platform is null ? null : new ResourceWatch([new ProcessSampler(platform.ProcessId, "sample platform")]);
        await using var containers = config.Docker is { Containers.Count: > 0 } docker ? new ContainerWatch(docker) : null;
        await using var targets = new TargetWatch(phase.Name, services, platform, containers, cancellation);
        var measured = new List<(ServiceConfig Service, LoadRunResult Result)>();
        try
        {
            if (settings.Concurrent)
            {
                measured.AddRange(await Task.WhenAll(services.Select(s => RunServiceAsync(phase, s, targets))));
            }
            else
            {
                foreach (var service in services)
                {
                    if (cancellation.IsCancellationRequested || targets.Failure is not null)
                        break;
                    measured.Add(await RunServiceAsync(phase, service, targets));
                }
            }
        }
        finally
        {
            display.PhaseFinished(phase.Name);
        }

        if (targets.Failure is { } died)
            display.Warning(died);
        var resources = new List<WatchedResource>();
        if (processes is not null)
            resources.AddRange((await processes.StopAsync()).Select(r => new WatchedResource(phase.Name, r, WatchedResource.Grade(r, config.Thresholds), Gated: false)));
        if (containers is not null)
        {
            foreach (var container in await containers.StopAsync())
            {
                resources.Add(new WatchedResource(phase.Name, container, WatchedResource.Grade(container, config.Thresholds), Gated: true));
                if (container.Problem is { } problem)
                    display.Warning($"container {container.Name}: {problem}");
            }
        }

        var report = database is null ? null : await database.StopAsync(CancellationToken.None);
        foreach (var finding in report?.Findings.Where(f => f.Severity >= Severity.Warning) ?? [])
            display.Info($"database: {finding.Title}{(finding.Suggestion is { } fix ? $" -> {fix}" : "")}");

        var summaries = measured.Select(m => RunSummarizer.Service(m.Service, m.Result, phase.Load)).ToList();
        var summary = new PhaseSummary(phase.Name, NameCase.ToKebabCase(phase.Load.Executor.ToString()), phase.Load.Vus, phase.Duration.TotalSeconds, summaries)
        {
            Profile = phase.Load.Describe(),
            ThroughputNote = phase.Load.ThroughputNote,
        };
        display.Table(phase.Name, summaries);
        return new PhaseResult(
            summary,
            [.. measured.SelectMany(m => RunSummarizer.Series(phase.Name, m.Service.Name, m.Result))],
            [.. measured.Select(m => m.Result)],
            resources,
            report,
            [.. measured.SelectMany(m => m.Result.Thresholds.Where(t => !t.Passed).Select(t => $"{phase.Name} {m.Service.Name}: {t}"))],
            measured.Where(m => m.Result.Aborted).Select(m => $"{phase.Name} {m.Service.Name}: {m.Result.AbortReason}").FirstOrDefault(),
            targets.Failure);
    }

    private async Task<(ServiceConfig, LoadRunResult)> RunServiceAsync(PlannedPhase phase, ServiceConfig service, TargetWatch targets)
    {
        var runner = new LoadRunner(new LoadRunOptions
        {
            Scenarios = scenarios[service.Name],
            Load = phase.Load,
            BaseAddress = service.BaseUrl,
            Service = service.Name,
            Log = message => display.Info($"{phase.Name} {service.Name}: {message}"),
            HdrLogDirectory = Path.Combine(run.RawPath, phase.Name, service.Name),
            HostGuard = HostGuard.For(service.BaseUrl, service.AllowedHosts),
            Masker = masker,
        })
        {
            StopReason = () => targets.ReasonFor(service.Name),
        };
        runner.Progress += progress =>
        {
            var line = ProgressLine.Format(phase.Name, service.Name, progress, phase.Duration);
            run.Log(line);
            display.Progress(phase.Name, service.Name, progress, phase.Duration, line);
        };
        return (service, await runner.RunAsync(targets.For(service.Name)));
    }
}
