using System.Globalization;

namespace Zoptal.Perf.Optimize;

/// <summary>
/// CPUs and memory the way a container sees them: cgroup v2 (<c>cpu.max</c>, <c>memory.max</c>), else v1
/// (<c>cpu.cfs_quota_us</c> / <c>cpu.cfs_period_us</c>, <c>memory.limit_in_bytes</c>), else the host's cores and
/// <c>MemTotal</c>. PGTune and PM2 count the host; this is what they should count.
/// </summary>
public static class LimitsReader
{
    /// <summary>Reads under <paramref name="root"/> (<c>/</c> on a real machine; a fixture folder in tests).</summary>
    public static Limits Read(string root = "/", int? hostCpus = null)
    {
        double cpus = hostCpus ?? Environment.ProcessorCount;
        var memory = HostMemory(root);
        var sources = new List<string>();

        var v2 = Path.Combine(root, "sys/fs/cgroup");
        if (Text(Path.Combine(v2, "cpu.max")) is { } cpuMax)
        {
            var parts = cpuMax.Split(' ');
            if (parts[0] != "max" && parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var quota) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var period) && period > 0)
            {
                cpus = Math.Min(cpus, quota / period);
                sources.Add($"cpu.max {cpuMax}");
            }
        }
        else if (Text(Path.Combine(v2, "cpu/cpu.cfs_quota_us")) is { } quotaText && Text(Path.Combine(v2, "cpu/cpu.cfs_period_us")) is { } periodText
            && long.TryParse(quotaText, CultureInfo.InvariantCulture, out var quota1) && quota1 > 0 && long.TryParse(periodText, CultureInfo.InvariantCulture, out var period1) && period1 > 0)
        {
            cpus = Math.Min(cpus, (double)quota1 / period1);
            sources.Add($"cpu.cfs_quota_us {quota1} / cpu.cfs_period_us {period1}");
        }

        var limit = Text(Path.Combine(v2, "memory.max")) is { } memoryMax
            ? memoryMax == "max" ? (long?)null : long.TryParse(memoryMax, CultureInfo.InvariantCulture, out var bytes) ? bytes : null
            : Text(Path.Combine(v2, "memory/memory.limit_in_bytes")) is { } v1 && long.TryParse(v1, CultureInfo.InvariantCulture, out var v1Bytes) && v1Bytes < long.MaxValue / 2 ? v1Bytes : null;
        if (limit is { } l && l < memory)
        {
            memory = l;
            sources.Add($"memory limit {l / 1048576} MiB");
        }

        return new Limits(Math.Round(cpus, 2), memory, sources.Count == 0 ? $"the host ({cpus} CPUs, {memory / 1048576} MiB): no cgroup limits" : "cgroup: " + string.Join(", ", sources));
    }

    private static long HostMemory(string root) =>
        Text(Path.Combine(root, "proc/meminfo"), firstLine: false) is { } meminfo
            ? meminfo.Split('\n').Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).FirstOrDefault()
            : 0;

    private static string? Text(string path, bool firstLine = true)
    {
        if (!File.Exists(path))
            return null;
        var text = File.ReadAllText(path).Trim();
        return firstLine ? text.Split('\n')[0].Trim() : text;
    }
}
