using System.Globalization;

namespace Zoptal.Perf.Probes.Resources;

/// <summary>
/// A local process from /proc, once a second: CPU from <c>utime + stime</c> (clock ticks, 100 per second) as a share
/// of all cores, resident memory (<c>VmRSS</c>) as a share of the machine's or the cgroup's limit, threads, open files.
/// </summary>
public sealed class ProcessSampler(int pid, string name)
{
    private const double TicksPerSecond = 100; // USER_HZ on every Linux the tool runs on
    private const double MinimumSpan = 0.25;
    private long _lastTicks = -1;
    private double _cpu;
    private DateTime _lastTime;

    /// <summary>The process id.</summary>
    public int Pid => pid;

    /// <summary>What the report calls it.</summary>
    public string Name => name;

    /// <summary>The memory the process may use: the cgroup's limit when one is set, otherwise the machine's memory.</summary>
    public static long MemoryLimit()
    {
        foreach (var path in new[] { "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes" })
        {
            if (File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var limit) && limit is > 0 and < long.MaxValue / 2)
                return Math.Min(limit, MachineMemory());
        }

        return MachineMemory();
    }

    private static long MachineMemory() =>
        File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).FirstOrDefault();

    /// <summary>One sample; null when the process is gone or /proc cannot be read (not Linux).</summary>
    public ResourceSample? Sample(double second, long memoryLimit)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var threads = int.Parse(fields[17], CultureInfo.InvariantCulture);
            var now = DateTime.UtcNow;
            // Ticks are counted in hundredths of a second, so over a short span a tick or two more is a large share: a
            // sample closer than MinimumSpan to the last repeats its CPU instead of guessing, and the span keeps growing.
            var span = (now - _lastTime).TotalSeconds;
            if (_lastTicks < 0 || span >= MinimumSpan)
            {
                _cpu = _lastTicks < 0 ? 0 : Math.Min(100, 100.0 * (ticks - _lastTicks) / TicksPerSecond / span / Environment.ProcessorCount);
                (_lastTicks, _lastTime) = (ticks, now);
            }

            var cpu = _cpu;
            var rss = File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).FirstOrDefault();
            var files = Directory.Exists($"/proc/{pid}/fd") ? Directory.GetFiles($"/proc/{pid}/fd").Length : 0;
            return new ResourceSample(second, Math.Round(cpu, 1), rss, memoryLimit > 0 ? Math.Round(100.0 * rss / memoryLimit, 2) : 0, threads, files);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
