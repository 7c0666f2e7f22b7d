using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Core.Thresholds;

namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
    private static LoadConfig ReadLoad(YamlObject? load, IReadOnlyList<ServiceConfig> services)
    {
        var defaults = new LoadConfig();
        if (load is null)
            return defaults;
        var executor = load.Enum<ExecutorKind>("executor", "a k6 executor") ?? defaults.Executor;
        var stages = new List<StageConfig>();
        foreach (var (node, path) in load.List("stages"))
        {
            var stage = YamlObject.From(node, path, load.Context);
            if (stage is null)
                continue;
            var duration = stage.Duration("duration", required: true);
            var target = stage.Int("target", 0, 1_000_000, required: true);
            stage.ReportUnknownKeys();
            if (duration is not null && target is not null)
                stages.Add(new StageConfig(duration.Value, target.Value));
        }

        var stress = load.Object("stress");
        var config = new LoadConfig
        {
            Executor = executor,
            Vus = load.Int("vus", 1, LoadConfig.MaxVusLimit) ?? defaults.Vus,
            Duration = load.Duration("duration", TimeSpan.FromSeconds(1)) ?? defaults.Duration,
            RampUp = load.Duration("rampUp") ?? defaults.RampUp,
            RampDown = load.Duration("rampDown") ?? defaults.RampDown,
            Stages = stages,
            Iterations = load.Int("iterations", 1),
            Rate = load.Int("rate", 1),
            TimeUnit = load.Duration("timeUnit", TimeSpan.FromMilliseconds(1)) ?? defaults.TimeUnit,
            PreAllocatedVus = load.Int("preAllocatedVUs", 1, 100_000),
            MaxVus = load.Int("maxVUs", 1, 100_000),
            GracefulStop = load.Duration("gracefulStop") ?? defaults.GracefulStop,
            GracefulRampDown = load.Duration("gracefulRampDown") ?? defaults.GracefulRampDown,
            ThinkTime = load.Duration("thinkTime") ?? defaults.ThinkTime,
            Thresholds = ReadK6Thresholds(load.Object("thresholds"), services),
            Http = ReadHttp(load.Object("http")),
            OnSaturation = load.Enum<SaturationPolicy>("onSaturation", "a saturation policy") ?? defaults.OnSaturation,
            Backlog = load.Int("backlog", 0, 10_000_000) ?? defaults.Backlog,
            MaxDroppedPercent = load.Percent("maxDropped") ?? defaults.MaxDroppedPercent,
            GradedLatency = load.Enum<GradedLatency>("gradedLatency", "a latency to grade") ?? defaults.GradedLatency,
            GradeThroughput = load.Bool("gradeThroughput"),
            Stress = stress is null
                ? defaults.Stress
                : new StressConfig
                {
                    Vus = stress.Int("vus", 1, LoadConfig.MaxVusLimit) ?? defaults.Stress.Vus,
                    Duration = stress.Duration("duration", TimeSpan.FromSeconds(1)) ?? defaults.Stress.Duration,
                },
        };
        stress?.ReportUnknownKeys();

        var at = load.Has("executor") ? load.Get("executor")! : load.Node;
        switch (executor)
        {
            case ExecutorKind.ConstantArrivalRate when config.Rate is null:
                load.Context.Error(at, load.ChildPath("executor"), "constant-arrival-rate needs 'rate' (iterations per timeUnit)");
                break;
            case ExecutorKind.RampingArrivalRate when stages.Count == 0:
                load.Context.Error(at, load.ChildPath("executor"), "ramping-arrival-rate needs 'stages' (target rates)");
                break;
            case ExecutorKind.PerVuIterations or ExecutorKind.SharedIterations when config.Iterations is null:
                load.Context.Error(at, load.ChildPath("executor"), $"{NameCase.ToKebabCase(executor.ToString())} needs 'iterations'");
                break;
        }

        if (config.PreAllocatedVus is { } pre && config.MaxVus is { } max && max < pre)
            load.Context.Error(load.Get("maxVUs")!, load.ChildPath("maxVUs"), $"maxVUs ({max}) is below preAllocatedVUs ({pre})");
        load.ReportUnknownKeys();
        return config;
    }
}
