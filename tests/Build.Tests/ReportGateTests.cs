using Zoptal.Build;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Results;

namespace Zoptal.BuildDefinition.Tests;

/// <summary>
/// <c>./build.sh Report</c> end to end through the build host: exit code 99 for each gate policy that fails, after the
/// reports are written, and 0 for those that do not.
/// </summary>
public sealed class ReportGateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zoptal-gate-").FullName;
    private readonly string _results;
    private readonly string _config;

    public ReportGateTests()
    {
        _results = Path.Combine(_folder, "results");
        _config = Path.Combine(_folder, "perf-config.yml");
        File.WriteAllText(_config, $"services:\n  - name: project\n    baseUrl: embedded\nresults:\n  directory: {_results}\n");
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string WriteRun(int minute, double p95)
    {
        var latency = new LatencySummary(1000, p95 / 2, 10, 1, p95 / 2, p95 / 2, p95 * 0.8, p95, p95 * 1.2, p95 * 1.3, p95 * 1.4, p95 * 1.5);
        var metrics = new MetricSet(4500, 0, new Dictionary<string, long>(), 150, 0, 1000, 1000, latency, latency);
        var summary = new RunSummary
        {
            RunId = "pending",
            Target = "LoadTest",
            StartedAt = new DateTimeOffset(2026, 11, 26, 12, minute, 0, TimeSpan.Zero),
            Git = new GitInfo($"f00d{minute:D3}", "main"),
            ConfigFile = _config,
            ConfigDigest = "sha256:00",
            Phases = [new PhaseSummary("load", "constant-vus", 50, 30, [
                new ServiceSummary("project", "http://127.0.0.1:3002/", true, false, null, 30, metrics, metrics.Grade(ThresholdTable.Default), [], [])])],
        };
        var random = new Random(minute);
        var series = Enumerable.Range(1, 30).Select(s =>
        {
            var value = p95 * (0.95 + 0.1 * random.NextDouble());
            return new TimeSeriesRow("load", "project", s, "", 150, 0, 75, 0, 50, value / 2, value, value * 1.2, value);
        }).ToList();
        var run = RunDirectory.Create(_results, summary.StartedAt, summary.Git.Commit);
        run.Complete(summary with { RunId = run.RunId }, series);
        return run.RunId;
    }

    private (int ExitCode, string Output) Report(string run, string policy)
    {
        var output = new StringWriter();
        var environment = new Dictionary<string, string> { ["CI"] = "true" };
        var invocation = new BuildInvocation(["Report", "--config", _config, "--run", run, "--fail-on", policy, "--comment", "never", "--no-logo"],
            environment, _folder, output, new SecretMasker(), default);
        return (BuildRunner.Run(new global::Build(), invocation, ["Compile"]), output.ToString());
    }

    [Fact]
    public void Each_policy_exits_99_when_it_fails_and_0_when_it_does_not()
    {
        var baseline = WriteRun(1, 100);
        Assert.Equal(0, Report(baseline, "never").ExitCode); // recorded in the history: the next runs' baseline

        // 50 % slower than the baseline, every grade still good: only the regression policy fails.
        var slower = WriteRun(2, 150);
        var (exitCode, output) = Report(slower, "regression");
        Assert.Equal(99, exitCode);
        Assert.Contains("load project: slower than the baseline", output);
        Assert.Contains("The performance gate failed", output);
        Assert.True(File.Exists(Path.Combine(_results, slower, "performance_report_20261126_120200.html")));
        Assert.Equal(0, Report(slower, "critical").ExitCode);
        Assert.Equal(0, Report(slower, "warning").ExitCode);
        Assert.Equal(0, Report(slower, "never").ExitCode);

        // A p95 of 1,500 ms is graded warning (the guide's 1,000-2,000 ms band); 2,500 ms is critical.
        var warning = WriteRun(3, 1500);
        Assert.Equal(99, Report(warning, "warning").ExitCode);
        Assert.Equal(0, Report(warning, "critical").ExitCode);
        var critical = WriteRun(4, 2500);
        Assert.Equal(99, Report(critical, "critical").ExitCode);
        Assert.Equal(0, Report(critical, "never").ExitCode);

        // A policy that does not exist is a usage error naming the parameter.
        var (badExit, badOutput) = Report(critical, "sometimes");
        Assert.Equal(2, badExit);
        Assert.Contains("fail-on", badOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    public void A_pull_request_number_below_1_is_a_usage_error(string number)
    {
        var run = WriteRun(1, 100);
        var output = new StringWriter();
        var invocation = new BuildInvocation(["Report", "--config", _config, "--run", run, "--pull-request", number, "--no-logo"],
            new Dictionary<string, string> { ["CI"] = "true" }, _folder, output, new SecretMasker(), default);
        Assert.Equal(2, BuildRunner.Run(new global::Build(), invocation, ["Compile"]));
        Assert.Contains($"Invalid value '{number}' for parameter '--pull-request': expected a pull request's number, 1 or more.", output.ToString());
    }
}
