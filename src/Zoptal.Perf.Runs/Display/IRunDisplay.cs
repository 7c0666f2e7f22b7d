using Zoptal.Perf.Load;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Runs.Display;

/// <summary>What the user sees during a run.</summary>
public interface IRunDisplay
{
    /// <summary>A message.</summary>
    void Info(string message);

    /// <summary>A warning.</summary>
    void Warning(string message);

    /// <summary>A phase starts for these services.</summary>
    void PhaseStarted(string phase, IReadOnlyList<string> services, TimeSpan planned) { }

    /// <summary>Every service of the phase has finished.</summary>
    void PhaseFinished(string phase) { }

    /// <summary>A service's progress, each second; <paramref name="line"/> is the plain form.</summary>
    void Progress(string phase, string service, RunProgress progress, TimeSpan planned, string line);

    /// <summary>The summary table of a finished phase.</summary>
    void Table(string phase, IReadOnlyList<ServiceSummary> services);
}
