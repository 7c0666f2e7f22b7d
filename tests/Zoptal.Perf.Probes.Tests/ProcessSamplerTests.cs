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
            await using var watch = new ResourceWatch([new ProcessSampler(busy.Id, "busy"), new ProcessSampler(idle.Id, "idle")], TimeSpan.FromMilliseconds(500));
            await Task.Delay(2600);
            var summaries = await watch.StopAsync();

            var hot = summaries.Single(s => s.Name == "busy");
            var cold = summaries.Single(s => s.Name == "idle");
            Assert.InRange(hot.Samples.Count, 4, 6);
            // One core of this machine's cores, give or take the scheduler: a share of all cores.
            Assert.InRange(hot.CpuMeanPercent, 100.0 / Environment.ProcessorCount * 0.3, 100.0 / Environment.ProcessorCount * 1.1); // other tests share the cores
            Assert.True(cold.CpuMaxPercent < 5, $"idle: {cold.CpuMaxPercent} %");
            Assert.All(summaries, s => Assert.True(s.MemoryMaxBytes > 100_000 && s.ThreadsMax >= 1 && s.OpenFilesMax >= 3 && s.MemoryMaxPercent > 0, s.ToString()));
        }
        finally
        {
            busy.Kill();
            idle.Kill();
        }
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
