using System.Diagnostics;
using Zoptal.Perf.Probes.Resources;

namespace Zoptal.Perf.Probes.Tests;

/// <summary>/proc sampling of real processes: one burning a core, one asleep, one gone.</summary>
public sealed class ProcessSamplerTests
{
    private static Process Start(string script) => Process.Start(new ProcessStartInfo("sh", ["-c", script]))!;

    [Fact]
    public async Task A_process_burning_a_core_shows_about_one_core_of_cpu_and_a_sleeping_one_none()
    {
        using var busy = Start("while :; do :; done");
        using var idle = Start("sleep 30");
        try
        {
            var ticks = Ticks(busy.Id);
            var started = DateTime.UtcNow;
            await using var watch = new ResourceWatch([new ProcessSampler(busy.Id, "busy"), new ProcessSampler(idle.Id, "idle")], TimeSpan.FromMilliseconds(500));
            await Task.Delay(2600);
            var summaries = await watch.StopAsync();
            // What the kernel charged the busy process over the same window, as a share of all cores: the samples must agree.
            var charged = 100.0 * (Ticks(busy.Id) - ticks) / 100 / (DateTime.UtcNow - started).TotalSeconds / Environment.ProcessorCount;

            var hot = summaries.Single(s => s.Name == "busy");
            var cold = summaries.Single(s => s.Name == "idle");
            Assert.InRange(hot.Samples.Count, 4, 6);
            // At most one core (a share of all cores), and what the kernel charged it: other tests may take part of the core.
            Assert.InRange(hot.CpuMeanPercent, charged * 0.75 - 3, Math.Min(charged * 1.25 + 3, 100.0 / Environment.ProcessorCount * 1.1));
            Assert.True(charged > 5, $"the busy loop ran: {charged} %");
            Assert.True(cold.CpuMaxPercent < 5, $"idle: {cold.CpuMaxPercent} %");
            Assert.All(summaries, s => Assert.True(s.MemoryMaxBytes > 100_000 && s.ThreadsMax >= 1 && s.OpenFilesMax >= 3 && s.MemoryMaxPercent > 0, s.ToString()));
        }
        finally
        {
            busy.Kill();
            idle.Kill();
        }
    }

    private static long Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11]) + long.Parse(fields[12]);
    }

    [Fact]
    public void A_process_that_is_gone_gives_no_sample()
    {
        using var gone = Start("exit 0");
        gone.WaitForExit();
        Assert.Null(new ProcessSampler(gone.Id, "gone").Sample(1, ProcessSampler.MemoryLimit()));
        Assert.True(ProcessSampler.MemoryLimit() > 100_000_000);
    }
}
