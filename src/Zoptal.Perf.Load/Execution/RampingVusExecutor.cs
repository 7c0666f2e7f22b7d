using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Load.Execution;

/// <summary>
/// k6's ramping-vus: the VU count follows the stages linearly; VUs removed by a ramp-down finish their iteration
/// within gracefulRampDown, and the running ones at the end get gracefulStop.
/// </summary>
internal sealed class RampingVusExecutor : IExecutor
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    public async Task RunAsync(RunState run)
    {
        var stages = run.Load.EffectiveStages();
        var total = TimeSpan.FromTicks(stages.Sum(s => s.Duration.Ticks));
        var start = run.Time.GetTimestamp();
        var active = new List<(VirtualUser Vu, Task Loop)>();
        var retiring = new List<(VirtualUser Vu, Task Loop)>();
        var free = new Stack<VirtualUser>();
        while (!run.StopStarting)
        {
            var elapsed = run.Time.GetElapsedTime(start);
            if (elapsed >= total)
                break;
            var target = TargetAt(stages, elapsed);
            if (active.Count < target)
            {
                // As k6: a VU retired by a ramp-down is used again once its last iteration has ended, so vus_max is the
                // peak of VUs in use, not the number ever made.
                retiring.RemoveAll(r =>
                {
                    if (!r.Loop.IsCompleted)
                        return false;
                    free.Push(r.Vu);
                    return true;
                });
            }

            while (active.Count < target)
            {
                VirtualUser vu;
                if (free.TryPop(out var reused))
                {
                    reused.Revive();
                    vu = reused;
                }
                else
                {
                    vu = run.CreateVu();
                }

                active.Add((vu, ClosedLoop.Start(run, vu, static () => true)));
            }

            while (active.Count > target)
            {
                var (vu, loop) = active[^1];
                vu.Retire(run.Load.GracefulRampDown);
                retiring.Add((vu, loop));
                active.RemoveAt(active.Count - 1);
            }

            await run.WaitAsync(Tick).ConfigureAwait(false);
        }

        await run.FinishAsync(active.Select(a => a.Loop).Concat(retiring.Select(r => r.Loop)), run.Load.GracefulStop).ConfigureAwait(false);
    }

    /// <summary>The VU count at a moment: linear within each stage, starting from 0.</summary>
    internal static int TargetAt(IReadOnlyList<StageConfig> stages, TimeSpan elapsed)
    {
        var from = 0;
        var stageStart = TimeSpan.Zero;
        foreach (var stage in stages)
        {
            if (elapsed < stageStart + stage.Duration)
            {
                var fraction = stage.Duration <= TimeSpan.Zero ? 1 : (elapsed - stageStart) / stage.Duration;
                return (int)Math.Round(from + (stage.Target - from) * fraction, MidpointRounding.AwayFromZero);
            }

            from = stage.Target;
            stageStart += stage.Duration;
        }

        return from;
    }
}
