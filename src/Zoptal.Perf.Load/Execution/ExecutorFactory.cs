using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Load.Execution;

/// <summary>Picks the executor the config names.</summary>
internal static class ExecutorFactory
{
    public static IExecutor Create(LoadConfig load) => load.Executor switch
    {
        ExecutorKind.ConstantVus => new ConstantVusExecutor(),
        ExecutorKind.RampingVus => new RampingVusExecutor(),
        ExecutorKind.PerVuIterations => new PerVuIterationsExecutor(),
        ExecutorKind.SharedIterations => new SharedIterationsExecutor(),
        ExecutorKind.ConstantArrivalRate => new ArrivalRateExecutor(ArrivalSchedule.Constant(load)),
        _ => new ArrivalRateExecutor(ArrivalSchedule.Ramping(load)),
    };
}
