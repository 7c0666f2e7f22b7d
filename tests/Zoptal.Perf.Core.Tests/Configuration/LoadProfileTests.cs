using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Core.Tests.Configuration;

/// <summary>A phase is labelled in its executor's own terms: an arrival-rate phase is a rate, not "50 VUs".</summary>
public sealed class LoadProfileTests
{
    [Fact]
    public void Each_executor_describes_its_load_in_its_own_terms()
    {
        var stages = new[] { new StageConfig(TimeSpan.FromSeconds(10), 40), new StageConfig(TimeSpan.FromSeconds(30), 200), new StageConfig(TimeSpan.FromSeconds(5), 0) };
        Assert.Equal("50 VUs", new LoadConfig { Executor = ExecutorKind.ConstantVus }.Describe());
        Assert.Equal("up to 200 VUs", new LoadConfig { Executor = ExecutorKind.RampingVus, Stages = stages }.Describe());
        Assert.Equal("10 VUs × 25 iterations", new LoadConfig { Executor = ExecutorKind.PerVuIterations, Vus = 10, Iterations = 25 }.Describe());
        Assert.Equal("1,000 iterations shared by 10 VUs", new LoadConfig { Executor = ExecutorKind.SharedIterations, Vus = 10, Iterations = 1000 }.Describe());
        Assert.Equal("100 iterations/s, 20 VUs preallocated, up to 200",
            new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 100, PreAllocatedVus = 20, MaxVus = 200 }.Describe());
        Assert.Equal("30 iterations/1m, 50 VUs preallocated, up to 50",
            new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 30, TimeUnit = TimeSpan.FromMinutes(1) }.Describe());
        Assert.Equal("10 → 200 iterations/s at the peak, 5 VUs preallocated, up to 300",
            new LoadConfig { Executor = ExecutorKind.RampingArrivalRate, Rate = 10, Stages = stages, PreAllocatedVus = 5, MaxVus = 300 }.Describe());
    }
}
