using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog;

/// <summary>The compiled scenarios of one Zoptal service, by the names perf-config.yml uses.</summary>
public interface IServiceScenarios
{
    /// <summary>The service's name in perf-config.yml.</summary>
    string Service { get; }

    /// <summary>Every scenario of the service, with its default weight.</summary>
    IReadOnlyList<Scenario> Scenarios { get; }
}
