using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Load.Tests;

/// <summary>Runs of the engine as the HTTP tests make them.</summary>
internal static class EngineRuns
{
    /// <summary>per-vu-iterations without think time: each VU runs its iterations one after another.</summary>
    public static LoadConfig Iterations(int vus, int iterations, HttpConfig? http = null) => new()
    {
        Executor = ExecutorKind.PerVuIterations,
        Vus = vus,
        Iterations = iterations,
        Duration = TimeSpan.FromSeconds(60),
        GracefulStop = TimeSpan.FromSeconds(5),
        ThinkTime = TimeSpan.Zero,
        Http = http ?? new HttpConfig(),
    };

    /// <summary>A run against a base address.</summary>
    public static Task<LoadRunResult> Run(Uri baseAddress, LoadConfig load, params Scenario[] scenarios) =>
        new LoadRunner(new LoadRunOptions { Scenarios = scenarios, Load = load, BaseAddress = baseAddress }).RunAsync();
}
