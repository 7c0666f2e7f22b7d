namespace Zoptal.Perf.Core.Configuration;

/// <summary>What the command line and the environment override in the config (<c>--vus</c>, <c>LOAD_TEST_DURATION</c>, ...).</summary>
public sealed record LoadOverrides(
    int? Vus = null,
    TimeSpan? Duration = null,
    int? StressVus = null,
    TimeSpan? StressDuration = null,
    bool Concurrent = false,
    IReadOnlyList<string>? Services = null);
