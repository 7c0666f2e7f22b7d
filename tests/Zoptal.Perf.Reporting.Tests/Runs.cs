using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>Runs built in code, with known numbers.</summary>
internal static class Runs
{
    public static LatencySummary Latency(double mean, double p95, double p99) => new(1000, mean, mean / 3, 1, mean, mean, mean, p95, p99, p99, p99, p99 * 1.2);

    public static MetricSet Metrics(long requests, long failed, double seconds, double mean, double p95, double p99) =>
        new(requests, failed, failed > 0 ? new Dictionary<string, long> { ["Status5xx"] = failed } : new Dictionary<string, long>(),
            requests / seconds, 100.0 * failed / requests, requests * 100, requests * 500, Latency(mean, p95, p99), Latency(mean * 0.9, p95 * 0.9, p99 * 0.9));

    public static ServiceSummary Service(string name, MetricSet metrics, IReadOnlyList<ThresholdOutcome>? thresholds = null, params ScenarioSummary[] scenarios) =>
        new(name, "http://127.0.0.1:3001/", true, false, null, 30, metrics, metrics.Grade(ThresholdTable.Default), thresholds ?? [], scenarios);

    public static ScenarioSummary Scenario(string name, MetricSet metrics) =>
        new(name, metrics.Requests / 2, 0, 0, 0, metrics, metrics.Grade(ThresholdTable.Default, throughput: false), [new CheckResult($"{name} status is 200", metrics.Requests - metrics.Failed, metrics.Failed)], []);

    public static RunSummary Run(params PhaseSummary[] phases) => new()
    {
        RunId = "20261126-120000-abc1234",
        Target = "LoadTest",
        StartedAt = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 11, 26, 12, 0, 45, TimeSpan.Zero),
        Git = new GitInfo("abc1234def5678", "feature/faster-login"),
        ConfigFile = "perf-config.yml",
        ConfigDigest = "sha256:00",
        Phases = phases,
    };

    public static PhaseSummary LoadPhase(params ServiceSummary[] services) => new("load", "ramping-vus", 50, 40, services);

    /// <summary>auth good; project with a critical p95 (2,600 ms) and a 2 % error rate (warning).</summary>
    public static RunSummary Mixed() => Run(LoadPhase(
        Service("auth", Metrics(6000, 0, 30, 40, 150, 220), null, Scenario("login", Metrics(3000, 0, 30, 45, 160, 230))),
        Service("project", Metrics(4500, 90, 30, 800, 2600, 3100), null, Scenario("crud", Metrics(4500, 90, 30, 800, 2600, 3100)))));

    /// <summary>
    /// Per-second rows for every service and scenario of a run's load phase: <paramref name="seconds"/> seconds with a p95
    /// of <paramref name="p95"/> ms scaled by <paramref name="factor"/>, and a seeded ±<paramref name="noise"/> jitter.
    /// </summary>
    public static List<TimeSeriesRow> Series(RunSummary run, int seconds, double p95 = 100, double factor = 1, double noise = 0.05, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new List<TimeSeriesRow>();
        foreach (var phase in run.Phases)
        {
            foreach (var service in phase.Services)
            {
                foreach (var scenario in service.Scenarios.Select(s => s.Name).Append(""))
                {
                    for (var second = 1; second <= seconds; second++)
                    {
                        var value = p95 * factor * (1 + noise * (2 * random.NextDouble() - 1));
                        rows.Add(new TimeSeriesRow(phase.Name, service.Name, second, scenario, 20, 0, 10, 0, 10, value / 2, value, value * 1.3, value * 1.2));
                    }
                }
            }
        }

        return rows;
    }

    /// <summary>Writes a complete run folder (summary.json and timeseries.csv) and returns its id.</summary>
    public static string Write(string resultsRoot, RunSummary summary, IEnumerable<TimeSeriesRow>? series = null)
    {
        var run = RunDirectory.Create(resultsRoot, summary.StartedAt, summary.Git.Commit);
        run.Complete(summary with { RunId = run.RunId }, series ?? []);
        return run.RunId;
    }
}
