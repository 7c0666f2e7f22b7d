using System.Globalization;

namespace Zoptal.Perf.Optimize;

/// <summary>The box the services run in: CPUs and memory from cgroup limits, or the host's, and where they came from.</summary>
public sealed record Limits(double Cpus, long MemoryBytes, string Source);

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

    /// <summary>
    /// The limits of a local process (a PostgreSQL server): the host's, lowered by every cgroup v2 limit from the
    /// process's own cgroup up to the root; null when the pid is not a process of that name here (a server in a
    /// container numbers its processes in its own namespace).
    /// </summary>
    public static Limits? ForProcess(int pid, string expectedName, string root = "/")
    {
        var proc = Path.Combine(root, "proc", pid.ToString(CultureInfo.InvariantCulture));
        if (Text(Path.Combine(proc, "comm")) is not { } comm || !comm.StartsWith(expectedName, StringComparison.Ordinal) || Text(Path.Combine(proc, "cgroup"), firstLine: false) is not { } cgroups)
            return null;
        double cpus = Environment.ProcessorCount;
        var memory = HostMemory(root);
        var sources = new List<string>();
        var v2 = cgroups.Split('\n').FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..].Trim('/');
        if (v2 is not null)
        {
            var parts = v2.Length == 0 ? [] : v2.Split('/');
            for (var depth = parts.Length; depth >= 0; depth--)
            {
                var folder = Path.Combine([root, "sys", "fs", "cgroup", .. parts.Take(depth)]);
                if (Text(Path.Combine(folder, "memory.max")) is { } max && max != "max" && long.TryParse(max, CultureInfo.InvariantCulture, out var bytes) && bytes < memory)
                {
                    memory = bytes;
                    sources.Add($"memory.max {bytes / 1048576} MiB of /{string.Join('/', parts.Take(depth))}");
                }

                if (Text(Path.Combine(folder, "cpu.max")) is { } cpuMax && cpuMax.Split(' ') is [var q, var p] && q != "max"
                    && double.TryParse(q, CultureInfo.InvariantCulture, out var quota) && double.TryParse(p, CultureInfo.InvariantCulture, out var period) && period > 0 && quota / period < cpus)
                {
                    cpus = quota / period;
                    sources.Add($"cpu.max {cpuMax} of /{string.Join('/', parts.Take(depth))}");
                }
            }
        }

        return new Limits(Math.Round(cpus, 2), memory, sources.Count == 0 ? $"the server's host ({cpus} CPUs, {memory / 1048576} MiB): its cgroup has no limits" : "the server's cgroup: " + string.Join(", ", sources));
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
