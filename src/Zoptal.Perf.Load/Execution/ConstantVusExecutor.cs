namespace Zoptal.Perf.Load.Execution;

/// <summary>k6's constant-vus: a fixed number of VUs loop for the duration.</summary>
internal sealed class ConstantVusExecutor : IExecutor
{
    public async Task RunAsync(RunState run)
    {
        var vus = Enumerable.Range(0, run.Load.Vus).Select(_ => run.CreateVu()).ToList();
        var loops = vus.Select(vu => ClosedLoop.Start(run, vu, static () => true)).ToList();
        await run.WaitAsync(run.Load.Duration).ConfigureAwait(false);
        await run.FinishAsync(loops, run.Load.GracefulStop).ConfigureAwait(false);
    }
}
