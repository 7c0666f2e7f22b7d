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
    public void Percentiles_of_a_small_trend_are_k6s_sorted_values_interpolated_at_rank_p_times_n_minus_1()
    {
        var trend = new TrendRecorder();
        foreach (var ms in new[] { 10, 11, 12, 13, 14, 15, 16, 17, 18, 900 })
            trend.Record(ms * 1000);
        trend.Collect();
        var summary = LatencySummary.From(trend.Snapshot());
        Assert.Equal(18 + 0.55 * 882, summary.P95, 6); // 503.1 ms, where HDR's value at the percentile is 900
        Assert.Equal(14.5, summary.P50, 6);
        Assert.Equal(102.6, summary.Mean, 6);
        Assert.Equal((10, 900), (summary.Min, summary.Max));
        Assert.Equal(900, LatencySummary.Aggregate(trend.Snapshot(), "max", null));
        Assert.Equal(503.1, LatencySummary.Aggregate(trend.Snapshot(), "p", 95), 6);
    }

    [Fact]
    public void Past_ten_thousand_values_percentiles_come_from_the_histogram_and_count_sum_min_max_stay_exact()
    {
        var trend = new TrendRecorder();
        var random = new Random(3);
        long sum = 0;
        for (var i = 0; i < TrendRecorder.RawCapacity + 1; i++)
        {
            var value = random.Next(100, 1_000_000);
            sum += value;
            trend.Record(value);
        }

        trend.Collect();
        var snapshot = trend.Snapshot();
        Assert.False(snapshot.Exact);
        Assert.Equal(TrendRecorder.RawCapacity + 1, snapshot.Count);
        Assert.Equal(sum, snapshot.Sum);
        Assert.Equal(snapshot.Histogram.GetValueAtPercentile(99), snapshot.Percentile(99));
    }

    [Fact]
    public void Histogram_percentiles_are_the_Java_readers_ceil_of_the_count_not_HdrHistogram_NETs_half_up()
    {
        var histogram = Histograms.Create();
        for (var i = 1; i <= 1260; i++)
            histogram.RecordValue(i * 100);
        // 0.99 x 1260 = 1247.4: Java (and hdr-histogram-js) take the 1,248th value, HdrHistogram.NET the 1,247th.
        Assert.Equal(124_863, Histograms.ValueAtPercentile(histogram, 99)); // the top of 124,800's bucket (64 µs wide)
        Assert.Equal(124_735, histogram.GetValueAtPercentile(99));          // the top of 124,700's
        Assert.Equal(126_015, Histograms.ValueAtPercentile(histogram, 100));
        Assert.Equal(0, Histograms.ValueAtPercentile(Histograms.Create(), 99));
    }

    [Fact]
    public void Merged_trends_keep_k6s_percentiles_while_all_parts_are_small_enough()
    {
        TrendSnapshot Of(params int[] values)
        {
            var trend = new TrendRecorder();
            foreach (var v in values)
                trend.Record(v);
            trend.Collect();
            return trend.Snapshot();
        }

        var merged = TrendSnapshot.Merge([Of(10, 30), Of(20, 40)]);
        Assert.True(merged.Exact);
        Assert.Equal([10L, 20L, 30L, 40L], merged.Values!);
        Assert.Equal(25, merged.Percentile(50));
        Assert.Equal(4, merged.Histogram.TotalCount);
    }

    [Fact]
    public void A_value_corrected_by_its_expected_interval_adds_the_samples_a_stall_kept_from_being_taken()
    {
        var trend = new TrendRecorder();
        trend.RecordCorrected(1_000, 100); // HdrHistogram's recordValueWithExpectedInterval: 1000, 900, ..., 100
        trend.Collect();
        var snapshot = trend.Snapshot();
        Assert.Equal([100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1_000L], snapshot.Values!);

        // A stall of 1 s on a VU that sends every 10 µs: 100,000 samples, recorded in at most about 1,000 groups.
        var fast = new TrendRecorder();
        fast.RecordCorrected(1_000_000, 10);
        fast.Collect();
        var corrected = fast.Snapshot();
        Assert.Equal(100_000, corrected.Count);
        Assert.Equal(500_000, corrected.Percentile(50), 500_000 * 0.003);
        Assert.Equal(990_000, corrected.Percentile(99), 990_000 * 0.003);

        var open = new TrendRecorder();
        open.RecordCorrected(1_000, 0); // no pacing known (or an open model): the value alone
        open.Collect();
        Assert.Equal(1, open.Snapshot().Count);
    }

    [Fact]
    public void Log_payloads_are_standard_zlib_and_older_payloads_still_read()
    {
        var histogram = Histograms.Create();
        histogram.RecordValue(1_000);
        histogram.RecordValue(2_000);
        var payload = Convert.FromBase64String(HdrLog.Encode(histogram));
        Assert.Equal(0x1c849314, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload));
        Assert.Equal(payload.Length - 8, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)));
        // A complete zlib stream (header, deflate, Adler-32) of the used counts only: it inflates as zlib, to a few bytes.
        using var inflated = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(payload, 8, payload.Length - 8), System.IO.Compression.CompressionMode.Decompress))
            zlib.CopyTo(inflated);
        Assert.InRange(inflated.Length, 40, 100);
        Assert.Equal(0x1c849313, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(inflated.ToArray()));

        // Runs written by HdrHistogram.NET's encoder (no Adler-32, the whole buffer compressed) still decode.
        var buffer = HdrHistogram.Utilities.ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity());
        var length = HistogramEncoding.EncodeIntoCompressedByteBuffer(histogram, buffer);
        buffer.Position = 0;
        var old = new byte[length];
        for (var i = 0; i < length; i++)
            old[i] = buffer.Get();
        Assert.Equal(2, HdrLog.Decode(Convert.ToBase64String(old)).TotalCount);
        Assert.Equal(2, HdrLog.Decode(HdrLog.Encode(histogram)).TotalCount);
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
