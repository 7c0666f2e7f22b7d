using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Core.Thresholds;
using Zoptal.Perf.Load.Execution;
using Zoptal.Perf.Load.Http;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;
using Zoptal.Perf.Load.Thresholds;

namespace Zoptal.Perf.Load;

/// <summary>What a run needs: scenarios, the load profile (executor, VUs, stages, HTTP, thresholds), the target.</summary>
public sealed record LoadRunOptions
{
    /// <summary>The scenario mix.</summary>
    public required IReadOnlyList<Scenario> Scenarios { get; init; }

    /// <summary>Executor, VUs, duration, stages, HTTP and thresholds (the config's <c>load</c> section).</summary>
    public required LoadConfig Load { get; init; }

    /// <summary>The service's base address; relative request URLs resolve against it.</summary>
    public Uri? BaseAddress { get; init; }

    /// <summary>The service's name, for <c>{service:...}</c> threshold filters.</summary>
    public string? Service { get; init; }

    /// <summary>The clock (a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Where messages go (errors once each, threshold aborts).</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>When set, HDR interval logs are written here, one file per scenario.</summary>
    public string? HdrLogDirectory { get; init; }

    /// <summary>
    /// Which hosts requests may go to, checked for every URL before it is sent (redirect hops and absolute URLs
    /// included); null: loopback and the base address's host.
    /// </summary>
    public HostGuard? HostGuard { get; init; }

    /// <summary>Called with the host and port before each connection is opened (tests and diagnostics).</summary>
    public Action<string, int>? ConnectObserver { get; init; }

    /// <summary>The secrets masked in what the run writes (HDR log tags); null: the process's shared masker.</summary>
    public Zoptal.Perf.Core.Secrets.SecretMasker? Masker { get; init; }

    internal HostGuard EffectiveGuard => HostGuard ?? HostGuard.For(BaseAddress);
}

/// <summary>
/// Runs a load test: init hooks, the executor, a once-a-second collector (intervals, HDR logs, the generator's
/// own CPU and memory, progress), thresholds every 2 s (aborting when one with abortOnFail fails past its
/// delayAbortEval), cleanup hooks. Ctrl+C stops like the end of the duration and keeps what was measured, marked aborted.
/// </summary>
public sealed class LoadRunner(LoadRunOptions options)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Raised once a second with what the last second measured.</summary>
    public event Action<RunProgress>? Progress;

    /// <summary>Runs to the end, or until <paramref name="cancellation"/> fires (then the result is marked aborted).</summary>
    public async Task<LoadRunResult> RunAsync(CancellationToken cancellation = default)
    {
        if (options.Scenarios.Count == 0)
            throw new ArgumentException("A run needs at least one scenario.", nameof(options));
        if (options.Scenarios.Select(s => s.Name).Distinct().Count() != options.Scenarios.Count)
            throw new ArgumentException("Scenario names must be unique.", nameof(options));

        var time = options.Time;
        using var abort = new CancellationTokenSource();
        using var external = CancellationTokenSource.CreateLinkedTokenSource(cancellation, abort.Token);
        string? abortReason = null;
        await RunHooksAsync(s => s.Init, "init", cancellation).ConfigureAwait(false);

        // The clock starts after the init hooks, so the intervals cover the load and add up to the totals.
        var startTime = time.GetUtcNow();
        using var run = new RunState(options.Scenarios, options.Load, options.BaseAddress, time, options.Log, external.Token,
            options.EffectiveGuard, options.ConnectObserver);
        var evaluator = new ThresholdEvaluator(run.Metrics, options.Service);
        var collector = new IntervalCollector(run, time, startTime, OpenLogs(startTime));
        var executor = ExecutorFactory.Create(options.Load).RunAsync(run);
        var ticks = 0;
        while (!executor.IsCompleted)
        {
            var tick = Task.Delay(Interval, time, CancellationToken.None);
            await Task.WhenAny(executor, tick).ConfigureAwait(false);
            if (executor.IsCompleted)
                break;
            if (collector.Collect(final: false) is { } progress)
                Progress?.Invoke(progress);
            if (++ticks % 2 == 0 && abortReason is null && CheckAbort(evaluator, run, collector.Vus) is { } reason)
            {
                abortReason = reason;
                options.Log(reason);
                abort.Cancel();
            }
        }

        await executor.ConfigureAwait(false);
        collector.Collect(final: true);
        var duration = collector.LastCollect - startTime; // the end of the last interval: the intervals add up to the duration
        if (abortReason is null && cancellation.IsCancellationRequested)
            abortReason = StopReason?.Invoke() ?? "interrupted (Ctrl+C or SIGTERM)";
        collector.CloseLogs();
        await RunHooksAsync(s => s.Cleanup, "cleanup", CancellationToken.None).ConfigureAwait(false);

        var thresholds = options.Load.Thresholds.Select(t => evaluator.Evaluate(t, duration, collector.Vus, run.MaxVus)).ToList();
        var scenarios = run.Metrics.Values.Select(m => new ScenarioResult(
            m.Name, OperationResult.From(m.Requests), m.Steps.Values.Select(OperationResult.From).OrderBy(s => s.Step).ToList(),
            m.Iterations, m.FailedIterations, m.InterruptedIterations, m.DroppedIterations,
            m.Checks.Select(c => new CheckResult(c.Key, c.Value.Passed, c.Value.Failed)).OrderBy(c => c.Name).ToList(),
            m.IterationDuration.Snapshot(), m.ScheduleLag.Snapshot())).ToList();
        return new LoadRunResult(startTime, duration, abortReason is not null, abortReason, run.MaxVus, scenarios, collector.Intervals, collector.Generator, thresholds)
        {
            Totals = collector.Totals,
        };
    }

    /// <summary>
    /// Why the caller's cancellation stopped the run, asked when it has (for example "the embedded platform exited");
    /// without it a cancelled run says it was interrupted by Ctrl+C or SIGTERM.
    /// </summary>
    public Func<string?>? StopReason { get; init; }

    private string? CheckAbort(ThresholdEvaluator evaluator, RunState run, VuGauge vus)
    {
        foreach (var threshold in options.Load.Thresholds.Where(t => t.AbortOnFail && run.Elapsed >= t.DelayAbortEval))
        {
            var result = evaluator.Evaluate(threshold, run.Elapsed, vus, run.MaxVus);
            if (!result.Passed)
                return $"Threshold {threshold.Selector}: '{threshold.Expression.Text}' failed (actual {result.Actual:0.###}) with abortOnFail; stopping the run.";
        }

        return null;
    }

    private Dictionary<string, HdrLogWriter>? OpenLogs(DateTimeOffset startTime)
    {
        if (options.HdrLogDirectory is not { } directory)
            return null;
        Directory.CreateDirectory(directory);
        return options.Scenarios.ToDictionary(s => s.Name,
            s => new HdrLogWriter(File.Create(Path.Combine(directory, $"{SafeFileName(s.Name)}.hlog")), startTime, options.Masker));
    }

    // A scenario's name becomes a file name: masked, and nothing a path could be made of.
    private string SafeFileName(string name) =>
        string.Concat((options.Masker ?? Zoptal.Perf.Core.Secrets.SecretMasker.Shared).Apply(name).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    private async Task RunHooksAsync(Func<Scenario, Func<ScenarioSetupContext, Task>?> hook, string what, CancellationToken cancellation)
    {
        foreach (var scenario in options.Scenarios)
        {
            if (hook(scenario) is not { } action)
                continue;
            // Init and cleanup hooks are scenario code too: their requests pass the same guard.
            using var http = new HttpClient(new GuardingHandler(options.EffectiveGuard) { InnerHandler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false } })
            {
                BaseAddress = options.BaseAddress,
            };
            try
            {
                await action(new ScenarioSetupContext(http, options.Log, cancellation)).ConfigureAwait(false);
            }
            catch (Exception e) when (what == "cleanup")
            {
                options.Log($"The cleanup of '{scenario.Name}' failed: {e.Message}");
            }
        }
    }
}
