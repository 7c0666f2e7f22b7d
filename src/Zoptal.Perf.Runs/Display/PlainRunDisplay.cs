using Zoptal.Perf.Load;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Runs.Display;

/// <summary>One line per service and second: for CI logs and anything that is not a terminal.</summary>
public sealed class PlainRunDisplay(Action<string> info, Action<string> warning) : IRunDisplay
{
    public void Info(string message) => info(message);

    public void Warning(string message) => warning(message);

    public void Progress(string phase, string service, RunProgress progress, TimeSpan planned, string line) => info(line);

    public void Table(string phase, IReadOnlyList<ServiceSummary> services)
    {
        foreach (var line in PhaseTable.Lines(phase, services))
            info(line);
    }
}
