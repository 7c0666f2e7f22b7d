using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Runs;

/// <summary>A phase to run: its name, its load profile, and how long its executor runs (without the graceful stop).</summary>
public sealed record PlannedPhase(string Name, LoadConfig Load)
{
    /// <summary>How long the phase's executor runs, without the graceful stop.</summary>
    public TimeSpan Duration => RunPlan.PlannedDuration(Load);
}

/// <summary>The phases of a run: LoadTest's load phase; Benchmark adds a constant-VUs stress phase (<c>load.stress</c>).</summary>
public static class RunPlan
{
    public static IReadOnlyList<PlannedPhase> For(PerfConfig config, bool stress) => stress
        ?
        [
            new(PhaseSummary.Load, config.Load),
            new(PhaseSummary.Stress, config.Load with { Executor = ExecutorKind.ConstantVus, Vus = config.Load.Stress.Vus, Duration = config.Load.Stress.Duration, Stages = [] }),
        ]
        : [new(PhaseSummary.Load, config.Load)];

    /// <summary>How long a phase's executor runs, without the graceful stop.</summary>
    public static TimeSpan PlannedDuration(LoadConfig load) => load.Executor switch
    {
        ExecutorKind.RampingVus or ExecutorKind.RampingArrivalRate => load.EffectiveStages().Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration),
        _ => load.Duration,
    };
}
