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

    [Fact]
    public void Throughput_is_graded_where_a_target_rate_is_set_or_the_config_asks_and_the_reason_is_given_otherwise()
    {
        Assert.False(new LoadConfig { Executor = ExecutorKind.RampingVus }.GradesThroughput);
        Assert.Contains("closed model", new LoadConfig { Executor = ExecutorKind.ConstantVus }.ThroughputNote);
        Assert.True(new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 10 }.GradesThroughput);
        Assert.Null(new LoadConfig { Executor = ExecutorKind.RampingArrivalRate, Rate = 10 }.ThroughputNote);
        Assert.Contains("is false", new LoadConfig { Executor = ExecutorKind.ConstantArrivalRate, Rate = 10, GradeThroughput = false }.ThroughputNote);

        var config = PerfConfigLoader.Parse("""
            services:
              - { name: auth, baseUrl: embedded }
            load: { executor: constant-vus, vus: 10, gradeThroughput: true }
            """, "perf-config.yml", new Dictionary<string, string>(), new Zoptal.Perf.Core.Secrets.SecretMasker());
        Assert.True(config.Load.GradesThroughput);
        var error = Assert.Throws<ConfigurationException>(() => PerfConfigLoader.Parse("""
            services:
              - { name: auth, baseUrl: embedded }
            load: { gradeThroughput: sometimes }
            """, "perf-config.yml", new Dictionary<string, string>(), new Zoptal.Perf.Core.Secrets.SecretMasker()));
        Assert.Contains("perf-config.yml:3:", error.Message);
    }
}
