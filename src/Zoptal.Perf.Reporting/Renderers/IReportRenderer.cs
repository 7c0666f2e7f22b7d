using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Runs.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>What every renderer gets: the run, the gate's verdict, and when the report was made.</summary>
public sealed record ReportModel(RunSummary Run, GateResult Gate, DateTimeOffset GeneratedAt)
{
    /// <summary>The guide's TIMESTAMP in file names: the run's start, <c>yyyyMMdd_HHmmss</c> in UTC.</summary>
    public string Stamp => Run.StartedAt.UtcDateTime.ToString("yyyyMMdd_HHmmss", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One output format.</summary>
public interface IReportRenderer
{
    /// <summary>The file this renderer writes for a report.</summary>
    string FileName(ReportModel model);

    /// <summary>Writes the report.</summary>
    void Render(ReportModel model, TextWriter writer);
}
