// Writes a synthetic run for the Report rendering benchmark: SERVICES x SCENARIOS scenarios, SECONDS seconds of
// per-second series, real HDR histograms, into a results folder. bench/report-rendering times ./build.sh Report on it.
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Results;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: ReportRendering <results-folder> <services> <scenarios-per-service> <seconds>");
    return 2;
}

var (root, services, scenarios, seconds) = (args[0], int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]));
var random = new Random(42);
var rows = new List<TimeSeriesRow>();
var serviceSummaries = new List<ServiceSummary>();
for (var s = 0; s < services; s++)
{
    var service = $"service-{s}";
    var all = Histograms.Create();
    var scenarioSummaries = new List<ScenarioSummary>();
    for (var c = 0; c < scenarios; c++)
    {
        var histogram = Histograms.Create();
        for (var i = 0; i < 20_000; i++)
            histogram.RecordValue((long)(50_000 * Math.Exp(0.5 * Normal())));
        all.Add(histogram);
        var metrics = Metrics(histogram, seconds);
        scenarioSummaries.Add(new ScenarioSummary($"scenario-{c}", histogram.TotalCount, 0, 0, 0, metrics, metrics.Grade(ThresholdTable.Default, throughput: false), [], [])
        {
            LatencyHistogram = HdrLog.Encode(histogram),
        });
        for (var second = 1; second <= seconds; second++)
            rows.Add(Row(service, $"scenario-{c}", second));
    }

    for (var second = 1; second <= seconds; second++)
        rows.Add(Row(service, "", second));
    var serviceMetrics = Metrics(all, seconds);
    serviceSummaries.Add(new ServiceSummary(service, "http://127.0.0.1:1/", true, false, null, seconds, serviceMetrics, serviceMetrics.Grade(ThresholdTable.Default), [], scenarioSummaries)
    {
        LatencyHistogram = HdrLog.Encode(all),
    });
}

var started = DateTimeOffset.UtcNow;
var summary = new RunSummary
{
    RunId = "pending",
    Target = "LoadTest",
    StartedAt = started,
    FinishedAt = started.AddSeconds(seconds),
    Git = new GitInfo("0000000000000000000000000000000000000000", "bench"),
    ConfigFile = "perf-config.yml",
    ConfigDigest = "sha256:00",
    Phases = [new PhaseSummary(PhaseSummary.Load, "constant-vus", 50, seconds, serviceSummaries)],
};
var run = RunDirectory.Create(root, started, null);
run.Complete(summary with { RunId = run.RunId }, rows);
Console.WriteLine($"{run.RunId}: {services * scenarios} scenarios, {seconds} s, {rows.Count:#,0} rows of timeseries.csv");
return 0;

TimeSeriesRow Row(string service, string scenario, int second)
{
    var p95 = 120 * Math.Exp(0.1 * Normal());
    return new TimeSeriesRow(PhaseSummary.Load, service, second, scenario, 20, 0, 10, 0, 50, p95 / 2, p95, p95 * 1.3, p95 * 1.2);
}

double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

static MetricSet Metrics(HdrHistogram.HistogramBase histogram, int seconds)
{
    var latency = LatencySummary.From(histogram);
    return new MetricSet(histogram.TotalCount, 0, new Dictionary<string, long>(), histogram.TotalCount / (double)seconds, 0, 0, 0, latency, latency);
}
