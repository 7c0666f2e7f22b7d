namespace Zoptal.Perf.Load.Execution;

/// <summary>Runs a scenario mix with one of k6's executors.</summary>
internal interface IExecutor
{
    Task RunAsync(RunState run);
}
