using System.Text.Json;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Tests;

public sealed class ReportSessionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("zoptal-report-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string WriteRun(RunSummary summary) => Runs.Write(_root, summary);

    private ReportOutcome Report(string? runId = null, GateFailOn? failOn = null) =>
        ReportSession.Run(new ReportRequest(_root, new GateConfig(), DateTimeOffset.UtcNow) { RunId = runId, FailOn = failOn });

    [Fact]
    public void The_newest_run_is_read_back_graded_and_reported_in_its_folder_and_the_results_folder()
    {
        var id = WriteRun(Runs.Mixed());
        var outcome = Report();
        Assert.Equal(Path.Combine(_root, id), outcome.RunPath);
        Assert.False(outcome.Gate.Passed);
        Assert.Equal(8, outcome.Files.Count);
        Assert.All(outcome.Files, f => Assert.True(File.Exists(f), f));
        Assert.Contains(Path.Combine(_root, "performance_report_20261126_120000.md"), outcome.Files);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, id, "benchmark_report_20261126_120000.json")));
        Assert.False(json.RootElement.GetProperty("gate").GetProperty("passed").GetBoolean());
        Assert.Equal(2600, json.RootElement.GetProperty("run").GetProperty("phases")[0].GetProperty("services")[1].GetProperty("metrics").GetProperty("latency").GetProperty("p95").GetDouble());
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_run_is_chosen_by_id_and_an_unknown_id_is_a_usage_error()
    {
        var id = WriteRun(Runs.Run(Runs.LoadPhase(Runs.Service("auth", Runs.Metrics(6000, 0, 30, 40, 150, 220)))));
        Assert.True(Report(id, GateFailOn.Warning).Gate.Passed);
        var error = Assert.Throws<InvalidParameterException>(() => Report("20990101-000000"));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(id, error.Message);
        Assert.DoesNotContain("latest", error.Message);
        Assert.Throws<InvalidParameterException>(() => Report("../etc"));
    }

    [Fact]
    public void A_history_store_that_is_down_costs_the_baseline_not_the_reports()
    {
        var id = WriteRun(Runs.Mixed());
        var results = new ResultsConfig { HistoryStore = HistoryStoreKind.Postgres, HistoryConnectionString = "Host=127.0.0.1;Port=1;Database=perf;Username=ci;Timeout=2" };
        var error = Assert.Throws<RunFailedException>(() => ReportSession.Run(new ReportRequest(_root, new GateConfig(), DateTimeOffset.UtcNow) { Results = results }));
        Assert.Contains("postgresql://127.0.0.1:1/perf cannot be used", error.Message);
        Assert.Equal(1, error.ExitCode);
        Assert.True(File.Exists(Path.Combine(_root, id, "performance_report_20261126_120000.html")));
        Assert.Contains("Baseline: none: The history store", File.ReadAllText(Path.Combine(_root, id, "performance_report_20261126_120000.md")));
    }

    [Fact]
    public void No_run_yet_says_what_to_do_with_exit_code_2()
    {
        var error = Assert.Throws<InvalidParameterException>(() => Report());
        Assert.Contains("Run ./build.sh LoadTest or Benchmark first", error.Message);
        Assert.Equal(2, error.ExitCode);
        var unknown = Assert.Throws<InvalidParameterException>(() => Report("nope"));
        Assert.Contains("There are no runs yet: run ./build.sh LoadTest or Benchmark first.", unknown.Message);
        Assert.DoesNotContain("Newest runs: .", unknown.Message);
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("not a database")]
    public void A_history_store_that_is_a_folder_or_not_a_database_is_named_with_the_fix_after_the_reports_are_written(string kind)
    {
        var id = WriteRun(Runs.Mixed());
        var store = Path.Combine(_root, "history.db");
        if (kind == "folder")
            Directory.CreateDirectory(store);
        else
            File.WriteAllText(store, new string('x', 8192));
        var error = Assert.Throws<RunFailedException>(() => ReportSession.Run(new ReportRequest(_root, new GateConfig(), DateTimeOffset.UtcNow) { Results = new ResultsConfig() }));
        Assert.Equal(1, error.ExitCode);
        Assert.Contains($"The history store {store}", error.Message);
        Assert.Contains(kind == "folder" ? "is a folder, not a SQLite file. Remove or rename it" : "it is not a SQLite database", error.Message);
        Assert.Contains("The reports were written without a baseline", error.Message);
        Assert.True(File.Exists(Path.Combine(_root, id, "performance_report_20261126_120000.html")));
        Assert.True(File.Exists(Path.Combine(_root, id, "performance_junit_20261126_120000.xml")));
    }
}
