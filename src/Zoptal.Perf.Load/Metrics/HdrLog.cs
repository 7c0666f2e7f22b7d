using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using HdrHistogram;
using HdrHistogram.Encoding;
using HdrHistogram.Utilities;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>
/// Writes HDR interval logs in HdrHistogram's standard log format 1.3, in ASCII as the Java, Python and JavaScript
/// tools expect: a header, then one line per interval histogram: <c>Tag=latency,start,length,max,HISTFAAAA...</c>
/// (start relative to BaseTime, seconds; max in milliseconds; the histogram in the compressed V2 encoding, base64).
/// Values are microseconds, which the header says. HdrHistogram.NET's own writer emits UTF-16, and its compressed
/// encoding lacks zlib's Adler-32 trailer, which the other readers reject (<see cref="HdrLog.Encode(HistogramBase)"/>).
/// </summary>
public sealed class HdrLogWriter : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly SecretMasker _masker;
    private ByteBuffer? _buffer;

    /// <summary>Starts a log; interval timestamps are written relative to <paramref name="startTime"/>. Tags pass the masker.</summary>
    public HdrLogWriter(Stream stream, DateTimeOffset startTime, SecretMasker? masker = null)
    {
        StartTime = startTime;
        _masker = masker ?? SecretMasker.Shared;
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
        var seconds = Seconds(startTime.ToUnixTimeMilliseconds());
        _writer.WriteLine("#[Histogram log format version 1.3]");
        _writer.WriteLine($"#[StartTime: {seconds} (seconds since epoch), {startTime.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}]");
        _writer.WriteLine($"#[BaseTime: {seconds} (seconds since epoch)]");
        _writer.WriteLine("#[Values are microseconds; Interval_Max is in milliseconds. Tags: latency, latency_corrected, service_time, iteration_duration, schedule_lag, <step>/latency, <step>/service_time]");
        _writer.WriteLine("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"");
        _writer.Flush();
    }

    /// <summary>The run's start (the log's BaseTime).</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>Appends one interval histogram of microseconds, tagged (for example "latency" or "login/service_time").</summary>
    public void Append(HistogramBase interval, DateTimeOffset intervalStart, DateTimeOffset intervalEnd, string tag)
    {
        var start = Seconds((intervalStart - StartTime).Ticks / TimeSpan.TicksPerMillisecond);
        var length = Seconds((intervalEnd - intervalStart).Ticks / TimeSpan.TicksPerMillisecond);
        var max = (interval.TotalCount == 0 ? 0 : interval.GetMaxValue() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        _writer.WriteLine($"Tag={SafeTag(_masker.Apply(tag))},{start},{length},{max},{Encode(interval)}");
        _writer.Flush();
    }

    /// <summary>The compressed V2 encoding of a histogram, base64: the standard payload of a log line.</summary>
    public string Encode(HistogramBase histogram) => HdrLog.Encode(histogram, ref _buffer);

    // Readers split a line at commas (and Java's at spaces too): a step's name keeps letters, digits and _.-/ only.
    private static string SafeTag(string tag) =>
        string.Create(tag.Length, tag, static (span, t) =>
        {
            for (var i = 0; i < t.Length; i++)
                span[i] = char.IsAsciiLetterOrDigit(t[i]) || t[i] is '_' or '.' or '-' or '/' ? t[i] : '_';
        });

    private static string Seconds(long milliseconds) => (milliseconds / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}

/// <summary>Reads and merges HDR interval logs.</summary>
public static class HdrLog
{
    /// <summary>Every interval histogram in a log, with its tag and absolute start and end (Unix milliseconds).</summary>
    public static List<HistogramBase> Read(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var result = new List<HistogramBase>();
        double baseTime = 0;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.StartsWith("#[BaseTime: ", StringComparison.Ordinal) || line.StartsWith("#[StartTime: ", StringComparison.Ordinal))
            {
                var value = line[(line.IndexOf(':') + 2)..].Split(' ')[0];
                if (line.StartsWith("#[BaseTime", StringComparison.Ordinal) || baseTime == 0)
                    baseTime = double.Parse(value, CultureInfo.InvariantCulture);
                continue;
            }

            if (line.Length == 0 || line[0] == '#' || line[0] == '"')
                continue;
            var fields = line.Split(',');
            var tag = fields[0].StartsWith("Tag=", StringComparison.Ordinal) ? fields[0][4..] : null;
            var offset = tag is null ? 0 : 1;
            if (fields.Length != offset + 4)
                throw new InvalidDataException($"HDR log line {lineNumber}: expected start, length, max and histogram.");
            var start = double.Parse(fields[offset], CultureInfo.InvariantCulture);
            var length = double.Parse(fields[offset + 1], CultureInfo.InvariantCulture);
            var histogram = HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(fields[offset + 3])), 0);
            histogram.Tag = tag;
            histogram.StartTimeStamp = (long)Math.Round((baseTime + start) * 1000);
            histogram.EndTimeStamp = (long)Math.Round((baseTime + start + length) * 1000);
            result.Add(histogram);
        }

        return result;
    }

    // The V2 compressed cookie as Java's HdrHistogram writes it (0x1c849304, with 0x10: counts are ZigZag LEB128).
    private const int CompressedCookie = 0x1c849314;

    /// <summary>
    /// A histogram in the standard compressed V2 encoding, base64: the payload of a log line, and how summaries carry
    /// totals. The cookie, the compressed length, then a complete zlib stream (header, deflate, Adler-32) of the V2
    /// encoding of the used counts only, as Java's <c>encodeIntoCompressedByteBuffer</c> writes it.
    /// </summary>
    public static string Encode(HistogramBase histogram)
    {
        ByteBuffer? buffer = null;
        return Encode(histogram, ref buffer);
    }

    /// <summary><see cref="Encode(HistogramBase)"/> with a buffer kept between calls (grown when too small).</summary>
    internal static string Encode(HistogramBase histogram, ref ByteBuffer? buffer)
    {
        var capacity = histogram.GetNeededByteBufferCapacity();
        if (buffer is null || buffer.Capacity() < capacity)
            buffer = ByteBuffer.Allocate(capacity);
        buffer.Position = 0;
        var length = histogram.Encode(buffer, HistogramEncoderV2.Instance);
        var plain = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
            plain[i] = buffer.Get();
        using var compressed = new MemoryStream();
        compressed.Write(new byte[8]);
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(plain);
        var bytes = compressed.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes, CompressedCookie);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), bytes.Length - 8);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The histogram of an <see cref="Encode(HistogramBase)"/>d payload (also of older runs' payloads, written without the zlib trailer).</summary>
    public static HistogramBase Decode(string payload) =>
        HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(payload)), 0);

    /// <summary>The exact sum of histograms (from several intervals, runs or generators); bucket counts add without loss.</summary>
    public static HistogramBase Merge(IEnumerable<HistogramBase> histograms, string? tag = null)
    {
        var merged = Histograms.Create();
        foreach (var histogram in histograms.Where(h => tag is null || h.Tag == tag))
            merged.Add(histogram);
        return merged;
    }
}
