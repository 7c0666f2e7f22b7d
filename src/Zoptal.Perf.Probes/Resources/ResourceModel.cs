namespace Zoptal.Perf.Probes.Resources;

/// <summary>One second of a process or container: CPU as a share of its limit (all cores for a process), memory, and the rest.</summary>
public sealed record ResourceSample(double Second, double CpuPercent, long MemoryBytes, double MemoryPercent, int Threads, int OpenFiles,
    long NetworkReceivedBytes = 0, long NetworkSentBytes = 0, long BlockReadBytes = 0, long BlockWrittenBytes = 0, long ThrottledPeriods = 0);

/// <summary>
/// A watched process or container over a phase (<c>Kind</c> <c>process</c> or <c>container</c>, named as the config or
/// the run calls it): its peaks and means, its memory limit, and every second. <c>Problem</c> says why it could not be
/// watched (engine unreachable, container missing); then there are no numbers.
/// </summary>
public sealed record ResourceSummary(string Kind, string Name, string? Problem, double CpuMaxPercent, double CpuMeanPercent, long MemoryMaxBytes,
    double MemoryMaxPercent, long? MemoryLimitBytes, int ThreadsMax, int OpenFilesMax, IReadOnlyList<ResourceSample> Samples)
{
    /// <summary>A resource that could not be watched: the reason, no numbers.</summary>
    public static ResourceSummary Failed(string kind, string name, string problem) => new(kind, name, problem, 0, 0, 0, 0, null, 0, 0, []);

    /// <summary>The summary of samples.</summary>
    public static ResourceSummary Of(string kind, string name, long? limit, IReadOnlyList<ResourceSample> samples) => samples.Count == 0
        ? Failed(kind, name, "no samples")
        : new(kind, name, null, samples.Max(s => s.CpuPercent), Math.Round(samples.Average(s => s.CpuPercent), 1), samples.Max(s => s.MemoryBytes),
            samples.Max(s => s.MemoryPercent), limit, samples.Max(s => s.Threads), samples.Max(s => s.OpenFiles), samples);
}
