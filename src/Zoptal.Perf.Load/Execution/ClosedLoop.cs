namespace Zoptal.Perf.Load.Execution;

/// <summary>The closed model: a VU starts its next iteration when the last one ends (plus think time).</summary>
internal static class ClosedLoop
{
    public static Task Start(RunState run, VirtualUser vu, Func<bool> mayStart) => Task.Run(async () =>
    {
        run.VuStarted();
        try
        {
            while (!run.StopStarting && !vu.Retired && mayStart())
            {
                await vu.RunIterationAsync(0).ConfigureAwait(false);
                var think = vu.ThinkTime;
                if (think <= TimeSpan.Zero || run.StopStarting || vu.Retired)
                    continue;
                try
                {
                    await Task.Delay(think, run.Time, vu.IterationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            run.VuStopped();
        }
    });
}
