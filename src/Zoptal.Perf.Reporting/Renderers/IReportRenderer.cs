using Zoptal.Perf.Reporting.Gate;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>One output format.</summary>
public interface IReportRenderer
{
    /// <summary>The file this renderer writes for a report.</summary>
    string FileName(ReportModel model);

    /// <summary>Writes the report.</summary>
    void Render(ReportModel model, TextWriter writer);
}
