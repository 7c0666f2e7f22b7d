using System.Xml.Linq;

namespace Zoptal.Build;

/// <summary>Counts from TRX files (the Visual Studio test results format <c>dotnet test --logger trx</c> writes).</summary>
public sealed record TestResultSummary(int Passed, int Failed, int Skipped)
{
    /// <summary>The plain closing line CI reads: <c>N passed, N failed, N skipped</c>.</summary>
    public override string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";

    /// <summary>Adds two summaries.</summary>
    public static TestResultSummary operator +(TestResultSummary a, TestResultSummary b) =>
        new(a.Passed + b.Passed, a.Failed + b.Failed, a.Skipped + b.Skipped);

    /// <summary>Reads one TRX file's counters; skipped tests are the ones not executed.</summary>
    public static TestResultSummary FromTrx(string path)
    {
        var document = XDocument.Load(path);
        var counters = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters")
            ?? throw new InvalidDataException($"{path} has no <Counters> element.");
        int Read(string name) => int.TryParse(counters.Attribute(name)?.Value, out var value) ? value : 0;
        return new TestResultSummary(Read("passed"), Read("failed") + Read("error") + Read("timeout") + Read("aborted"), Read("notExecuted"));
    }

    /// <summary>Sums every TRX file under a folder.</summary>
    public static TestResultSummary FromDirectory(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.trx", SearchOption.AllDirectories).Select(FromTrx).Aggregate(new TestResultSummary(0, 0, 0), (a, b) => a + b)
            : new TestResultSummary(0, 0, 0);
}
