using Zoptal.Perf.Core.Text;

namespace Zoptal.Perf.Core.Configuration;

/// <summary>The settings a run uses: the config with the overrides applied and the services chosen.</summary>
public sealed record EffectiveSettings(PerfConfig Config, IReadOnlyList<ServiceConfig> Services, bool Concurrent)
{
    /// <summary>Applies overrides; a bad value or an unknown service is an <see cref="InvalidParameterException"/>.</summary>
    public static EffectiveSettings Resolve(PerfConfig config, LoadOverrides overrides)
    {
        // The same bounds as the file's (load.vus, load.stress.vus), whether the value came from the command line or the environment.
        if (overrides.Vus is < 1 or > LoadConfig.MaxVusLimit)
            throw new InvalidParameterException($"Invalid value '{overrides.Vus}' for parameter '--vus' (LOAD_TEST_VUS): expected 1 to {LoadConfig.MaxVusLimit:N0} virtual users, as load.vus allows.");
        if (overrides.StressVus is < 1 or > LoadConfig.MaxVusLimit)
            throw new InvalidParameterException($"Invalid value '{overrides.StressVus}' for parameter '--stress-vus' (STRESS_TEST_VUS): expected 1 to {LoadConfig.MaxVusLimit:N0} virtual users, as load.stress.vus allows.");
        if (overrides.Duration is { } d && d < TimeSpan.FromSeconds(1))
            throw new InvalidParameterException($"Invalid value '{K6Duration.Format(d)}' for parameter '--duration': expected at least 1s.");
        if (overrides.StressDuration is { } sd && sd < TimeSpan.FromSeconds(1))
            throw new InvalidParameterException($"Invalid value '{K6Duration.Format(sd)}' for parameter '--stress-duration': expected at least 1s.");

        var services = config.Services.ToList();
        if (overrides.Services is { Count: > 0 } chosen)
        {
            var unknown = chosen.Where(name => config.Services.All(s => s.Name != name)).ToList();
            if (unknown.Count > 0)
            {
                var known = config.Services.Select(s => s.Name).ToList();
                var hints = unknown.Select(u => Suggestions.Closest(u, known) is { } s ? $"'{u}' (did you mean '{s}'?)" : $"'{u}'");
                throw new InvalidParameterException(
                    $"Invalid value for parameter '--services': {string.Join(", ", hints)} not defined in {Path.GetFileName(config.SourcePath)}. Defined services: {string.Join(", ", known)}.");
            }

            services = config.Services.Where(s => chosen.Contains(s.Name)).ToList();
        }

        var load = config.Load with
        {
            Vus = overrides.Vus ?? config.Load.Vus,
            Duration = overrides.Duration ?? config.Load.Duration,
            Stress = new StressConfig
            {
                Vus = overrides.StressVus ?? config.Load.Stress.Vus,
                Duration = overrides.StressDuration ?? config.Load.Stress.Duration,
            },
        };
        // Explicit stages win over --vus/--duration in the file; an override on the command line replaces them.
        if (overrides.Vus is not null || overrides.Duration is not null)
            load = load with { Stages = [] };
        return new EffectiveSettings(config with { Load = load }, services, overrides.Concurrent);
    }

    /// <summary>The settings as lines for the console.</summary>
    public IEnumerable<string> Describe()
    {
        var load = Config.Load;
        yield return $"Config:    {Config.SourcePath}";
        yield return $"Services:  {string.Join(", ", Services.Select(s => s.Embedded ? $"{s.Name} (embedded)" : $"{s.Name} ({s.BaseUrl})"))}";
        yield return $"Mode:      {(Concurrent ? "concurrent (all services at once)" : "sequential (one service after another)")}";
        yield return $"Load:      {NameCase.ToKebabCase(load.Executor.ToString())}, {load.Vus} VUs for {K6Duration.Format(load.Duration)}" +
                     (load.Executor == ExecutorKind.RampingVus
                         ? $"; stages {string.Join(" → ", load.EffectiveStages().Select(s => $"{s.Target} in {K6Duration.Format(s.Duration)}"))}"
                         : string.Empty);
        yield return $"Stress:    {load.Stress.Vus} VUs for {K6Duration.Format(load.Stress.Duration)}";
        yield return $"Gate:      fail on {Config.Gate.FailOn.ToString().ToLowerInvariant()}, minimum effect {Config.Gate.MinimumEffectPercent:0.##}%, baseline branch {Config.Gate.BaseBranch}";
        yield return $"Results:   {Config.ResultsRoot} (history: {Config.Results.HistoryStore.ToString().ToLowerInvariant()})";
        foreach (var service in Services)
        {
            var scenarios = service.Scenarios.Count == 0 ? "none" : string.Join(", ", service.Scenarios.Select(s => $"{s.Name} ×{s.Weight}"));
            yield return $"  {service.Name,-14} health {service.HealthPath}; scenarios: {scenarios}";
        }
    }
}
