namespace Zoptal.Perf.Load.Execution;

/// <summary>k6's shared-iterations: the VUs share a total, each taking the next as soon as it is free.</summary>
internal sealed class SharedIterationsExecutor : IExecutor
{
    public async Task RunAsync(RunState run)
    {
        var iterations = run.Load.Iterations ?? 1;
        var started = 0;
        var loops = Enumerable.Range(0, run.Load.Vus).Select(_ => run.CreateVu()).ToList()
            .Select(vu => ClosedLoop.Start(run, vu, () => Interlocked.Increment(ref started) <= iterations)).ToList();
        await Task.WhenAny(Task.WhenAll(loops), run.WaitAsync(run.Load.Duration)).ConfigureAwait(false);
        await run.FinishAsync(loops, run.Load.GracefulStop).ConfigureAwait(false);
    }
}
