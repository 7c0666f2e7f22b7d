using Zoptal.Perf.Catalog.Services;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog;

/// <summary>Finds each configured scenario: compiled in C# for the service, or declared with <c>requests:</c>.</summary>
public sealed class ScenarioCatalog(IEnumerable<IServiceScenarios> services)
{
    /// <summary>The six Zoptal services' scenarios.</summary>
    public static ScenarioCatalog Default { get; } = new(
    [
        new AuthScenarios(),
        new ProjectScenarios(),
        new AiScenarios(),
        new BillingScenarios(),
        new NotificationScenarios(),
        new AnalyticsScenarios(),
    ]);

    private readonly Dictionary<string, IServiceScenarios> _services = services.ToDictionary(s => s.Service);

    /// <summary>The compiled scenarios of a service; empty when there are none.</summary>
    public IReadOnlyList<Scenario> Compiled(string service) => _services.TryGetValue(service, out var s) ? s.Scenarios : [];

    /// <summary>
    /// The scenarios a service's config asks for, with the config's weights. A service without a <c>scenarios</c>
    /// list runs all its compiled scenarios. Every unknown name is an error at its place in the file (exit code 2).
    /// </summary>
    public IReadOnlyList<Scenario> Resolve(ServiceConfig service, string configFile)
    {
        var compiled = Compiled(service.Name);
        if (service.Scenarios.Count == 0)
        {
            return compiled.Count > 0 ? compiled : throw new ConfigurationException(
            [
                (service.BaseUrlAt ?? new SourcePosition(1, 1, $"services[{service.Name}]")).Error(configFile,
                    $"service '{service.Name}' has no compiled scenarios and declares none", "add scenarios with requests: (docs/configuration.md)"),
            ]);
        }

        var errors = new List<ConfigError>();
        var resolved = new List<Scenario>();
        foreach (var config in service.Scenarios)
        {
            if (config.Requests.Count > 0)
            {
                resolved.Add(DeclaredScenario.Create(config));
                continue;
            }

            var scenario = compiled.FirstOrDefault(s => s.Name == config.Name);
            if (scenario is null)
            {
                var known = compiled.Select(s => s.Name).ToList();
                var hint = Suggestions.Closest(config.Name, known) is { } close ? $"did you mean '{close}'?"
                    : known.Count > 0 ? $"{service.Name} has {string.Join(", ", known)}; or declare it with requests:" : "declare it with requests:";
                errors.Add((config.NameAt ?? new SourcePosition(1, 1, service.Name)).Error(configFile, $"unknown scenario '{config.Name}' for service '{service.Name}'", hint));
                continue;
            }

            resolved.Add(scenario.WithWeight(config.Weight));
        }

        return errors.Count > 0 ? throw new ConfigurationException(errors) : resolved;
    }
}
