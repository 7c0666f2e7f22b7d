using HdrHistogram;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Load.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Merging_histograms_is_exact()
    {
        var random = new Random(7);
        var all = Histograms.Create();
        var parts = Enumerable.Range(0, 3).Select(_ => Histograms.Create()).ToList();
        for (var i = 0; i < 30_000; i++)
        {
            var value = (long)Math.Exp(random.NextDouble() * 15) + 1;
            all.RecordValue(value);
            parts[i % 3].RecordValue(value);
        }

        var merged = HdrLog.Merge(parts);
        Assert.Equal(all.TotalCount, merged.TotalCount);
        foreach (var value in all.RecordedValues())
            Assert.Equal(value.CountAtValueIteratedTo, merged.GetCountAtValue(value.ValueIteratedTo));
        foreach (var p in new[] { 50, 90, 99, 99.9, 99.99, 100 })
            Assert.Equal(all.GetValueAtPercentile(p), merged.GetValueAtPercentile(p));
    }

    [Fact]
    public void Interval_logs_round_trip_in_HdrHistograms_own_format()
    {
        var start = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var recorded = new List<HistogramBase>();
        using var stream = new MemoryStream();
        using (var writer = new HdrLogWriter(stream, start))
        {
            for (var second = 0; second < 3; second++)
            {
                var interval = Histograms.Create();
                for (var v = 1; v <= 100 * (second + 1); v++)
                    interval.RecordValue(v * 10);
                recorded.Add(interval.Copy());
                writer.Append(interval, start.AddSeconds(second), start.AddSeconds(second + 1), "latency");
            }
        }

        var text = System.Text.Encoding.ASCII.GetString(stream.ToArray());
        Assert.StartsWith("#[Histogram log format version 1.3]\n#[StartTime: 1795694400.000 (seconds since epoch), 2026-11-26T12:00:00.000Z]\n", text);
        Assert.Matches(@"\nTag=latency,2\.000,1\.000,3\.00[0-9],HISTFAAAA", text); // max 3000 µs, as its highest equivalent value
        Assert.Contains("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"", text);
        Assert.Contains("Tag=latency,", text);

        var read = HdrLog.Read(new MemoryStream(stream.ToArray()));
        Assert.Equal(3, read.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(recorded[i].TotalCount, read[i].TotalCount);
            Assert.Equal(recorded[i].GetValueAtPercentile(99), read[i].GetValueAtPercentile(99));
            Assert.Equal("latency", read[i].Tag);
        }

        Assert.Equal(600, HdrLog.Merge(read, "latency").TotalCount);
        Assert.Equal(start.AddSeconds(2).ToUnixTimeMilliseconds(), read[2].StartTimeStamp);

        // HdrHistogram.NET's own reader accepts the file too.
        using var library = new HistogramLogReader(new MemoryStream(stream.ToArray()));
        Assert.Equal([100L, 200L, 300L], library.ReadHistograms().Select(h => h.TotalCount));
    }

    [Fact]
    public void Summaries_give_the_percentiles_reports_show_in_milliseconds()
    {
        var histogram = Histograms.Create();
        for (var us = 1_000; us <= 100_000; us += 1_000)
            histogram.RecordValue(us);
        var summary = LatencySummary.From(histogram);
        Assert.Equal(100, summary.Count);
        Assert.Equal(50.5, summary.Mean, 1);
        Assert.Equal(1, summary.Min, 1);
        Assert.Equal(50, summary.P50, 0);
        Assert.Equal(99, summary.P99, 0);
        Assert.Equal(100, summary.Max, 0);
    }

    [Fact]
    public void The_generator_samples_its_own_cpu_and_memory()
    {
        var sampler = new GeneratorSampler(TimeProvider.System);
        var spin = DateTime.UtcNow.AddMilliseconds(200);
        while (DateTime.UtcNow < spin)
        {
        }

        var sample = sampler.Sample(TimeSpan.FromSeconds(1));
        Assert.True(sample.CpuPercent > 10, $"cpu {sample.CpuPercent}");
        Assert.True(sample.ResidentBytes > 10_000_000);
    }

    [Fact]
    public void Feeds_hand_out_items_circularly_randomly_or_once()
    {
        var circular = DataFeed.FromList("users", ["a", "b", "c"]);
        Assert.Equal(["a", "b", "c", "a"], Enumerable.Range(0, 4).Select(_ => circular.Next()));
        var unique = DataFeed.FromList("codes", ["x", "y"], FeedStrategy.Unique);
        Assert.Equal("x", unique.Next());
        Assert.Equal("y", unique.Next());
        Assert.Throws<FeedExhaustedException>(() => unique.Next());
        var random = DataFeed.FromList("r", Enumerable.Range(0, 100).ToList(), FeedStrategy.Random);
        Assert.True(Enumerable.Range(0, 50).Select(_ => random.Next()).Distinct().Count() > 20);
    }

    [Fact]
    public void Feeds_read_csv_with_quotes_and_json()
    {
        var directory = Directory.CreateTempSubdirectory("zoptal-feeds-").FullName;
        var csv = Path.Combine(directory, "users.csv");
        File.WriteAllText(csv, "email,name\nann@example.test,\"Ann, \"\"the\"\" admin\"\nbob@example.test,Bob\n");
        var users = DataFeed.FromCsv(csv);
        Assert.Equal(2, users.Count);
        var first = users.Next();
        Assert.Equal(("ann@example.test", "Ann, \"the\" admin"), (first["email"], first["name"]));

        var json = Path.Combine(directory, "payloads.json");
        File.WriteAllText(json, """[{ "prompt": "hello", "model": "small" }, { "prompt": "sort", "model": "large" }]""");
        var payloads = DataFeed.FromJson<Payload>(json);
        Assert.Equal(new Payload("hello", "small"), payloads.Next());

        File.WriteAllText(csv, "a,b\n1\n");
        Assert.Contains("users.csv:2: 1 fields where the header has 2", Assert.Throws<InvalidDataException>(() => DataFeed.FromCsv(csv)).Message);
        Directory.Delete(directory, true);
    }

    private sealed record Payload(string Prompt, string Model);
}
