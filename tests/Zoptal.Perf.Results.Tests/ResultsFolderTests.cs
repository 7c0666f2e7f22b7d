using Zoptal.Perf.Core;
using Zoptal.Perf.Load.Metrics;

namespace Zoptal.Perf.Results.Tests;

/// <summary>Finding and reading runs: with the latest link, without it (a downloaded artifact), and refusing what is not a run.</summary>
public sealed class ResultsFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("zoptal-results-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_written_run_reads_back_as_written_and_latest_names_it()
    {
        var first = Write(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
        var second = Write(new DateTimeOffset(2026, 11, 30, 11, 0, 0, TimeSpan.Zero));
        Assert.Equal(second, ResultsFolder.Find(_root, null));
        Assert.Equal(first, ResultsFolder.Find(_root, Path.GetFileName(first)));
        var summary = ResultsFolder.ReadSummary(second);
        Assert.Equal(Path.GetFileName(second), summary.RunId);
        Assert.Equal(1234, summary.Phases[0].Services[0].Metrics.Requests);
        Assert.Equal([Path.GetFileName(second), Path.GetFileName(first)], ResultsFolder.RunIds(_root));
    }

    [Fact]
    public void Without_the_latest_link_or_with_an_artifacts_copy_of_it_the_newest_run_is_found_by_its_id()
    {
        Write(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
        var newest = Write(new DateTimeOffset(2026, 11, 30, 11, 0, 0, TimeSpan.Zero));
        var latest = Path.Combine(_root, ResultsFolder.Latest);
        File.Delete(latest);
        Assert.Equal(newest, ResultsFolder.Find(_root, null));

        // actions/upload-artifact stores the link as a folder holding a copy of the run.
        Directory.CreateDirectory(latest);
        File.Copy(Path.Combine(newest, ResultsFolder.SummaryFile), Path.Combine(latest, ResultsFolder.SummaryFile));
        Assert.Equal(newest, ResultsFolder.Find(_root, null));
        Assert.DoesNotContain(ResultsFolder.Latest, ResultsFolder.RunIds(_root));
    }

    [Fact]
    public void An_unknown_id_a_path_and_an_empty_folder_are_usage_errors_that_list_the_runs()
    {
        Assert.Contains("Run ./build.sh LoadTest or Benchmark first", Assert.Throws<InvalidParameterException>(() => ResultsFolder.Find(_root, null)).Message);
        var run = Path.GetFileName(Write(DateTimeOffset.UtcNow));
        foreach (var bad in new[] { "nope", "../x", "latest", "." })
        {
            var error = Assert.Throws<InvalidParameterException>(() => ResultsFolder.Find(_root, bad));
            Assert.Equal(ExitCodes.Usage, error.ExitCode);
            Assert.Contains($"Newest runs: {run}.", error.Message);
        }
    }

    [Fact]
    public void A_summary_of_another_schema_version_or_not_json_fails_the_run_naming_the_file()
    {
        var run = Write(DateTimeOffset.UtcNow);
        var file = Path.Combine(run, ResultsFolder.SummaryFile);
        File.WriteAllText(file, """{"schemaVersion": 2}""");
        Assert.Contains("schema version 2", Assert.Throws<RunFailedException>(() => ResultsFolder.ReadSummary(run)).Message);
        File.WriteAllText(file, "{ not json");
        var error = Assert.Throws<RunFailedException>(() => ResultsFolder.ReadSummary(run));
        Assert.Contains(file, error.Message);
        Assert.Null(ResultsFolder.TryReadNewest(_root));
    }

    private string Write(DateTimeOffset started)
    {
        var run = RunDirectory.Create(_root, started, "abcdef1234567");
        run.Complete(new RunSummary
        {
            RunId = run.RunId,
            Target = "LoadTest",
            StartedAt = started,
            ConfigFile = "perf-config.yml",
            ConfigDigest = "none",
            Phases = [new PhaseSummary(PhaseSummary.Load, "constant-vus", 1, 1, [new ServiceSummary("auth", "http://127.0.0.1:1/", false, false, null, 1,
                MetricSet.Empty with { Requests = 1234 }, [], [], [])])],
        }, []);
        return run.FinalPath;
    }
}
