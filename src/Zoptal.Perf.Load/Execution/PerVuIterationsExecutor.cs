namespace Zoptal.Perf.Load.Execution;

/// <summary>k6's per-vu-iterations: each VU runs its share of iterations, within the duration (maxDuration).</summary>
internal sealed class PerVuIterationsExecutor : IExecutor
{
    public async Task RunAsync(RunState run)
    {
        var iterations = run.Load.Iterations ?? 1;
        var loops = Enumerable.Range(0, run.Load.Vus).Select(_ =>
        {
            var started = 0;
            return ClosedLoop.Start(run, run.CreateVu(), () => started++ < iterations);
        }).ToList();
        await Task.WhenAny(Task.WhenAll(loops), run.WaitAsync(run.Load.Duration)).ConfigureAwait(false);
        await run.FinishAsync(loops, run.Load.GracefulStop).ConfigureAwait(false);
    }
}
