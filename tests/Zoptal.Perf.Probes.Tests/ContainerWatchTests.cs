using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Probes.Resources;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Probes.Tests;

/// <summary>Runs alone: the engine's one-shot stats take a second each, longer when other tests load the two cores.</summary>
[CollectionDefinition(nameof(DockerCollection), DisableParallelization = true)]
public sealed class DockerCollection;

/// <summary>Containers under real limits on a private dockerd, burning known amounts of CPU and memory.</summary>
[Collection(nameof(DockerCollection))]
public sealed class ContainerWatchTests(DockerEngine docker) : IClassFixture<DockerEngine>
{
    private static async Task<IReadOnlyList<ResourceSummary>> Watch(DockerConfig config, TimeSpan time)
    {
        await using var watch = new ContainerWatch(config);
        await Task.Delay(time);
        return await watch.StopAsync();
    }

    [Fact]
    public async Task A_container_burning_its_cpu_limit_and_one_holding_half_its_memory_are_measured_against_their_limits()
    {
        // Half a CPU, burnt completely: 100 % of its limit, throttled.
        await docker.RunAsync("burn", ["--cpus", "0.5", "--memory", "64m"], "yes > /dev/null");
        // 32 MB written to a tmpfs inside a 64 MB limit: about half its memory, almost no CPU.
        await docker.RunAsync("hold", ["--cpus", "1", "--memory", "64m"], "dd if=/dev/zero of=/dev/shm/x bs=1M count=32 2>/dev/null; sleep 600");
        await Task.Delay(1000);

        var summaries = await Watch(new DockerConfig { Host = docker.Host, Containers = ["burn", "hold"] }, TimeSpan.FromSeconds(6));

        var burn = summaries.Single(s => s.Name == "burn");
        Assert.Null(burn.Problem);
        Assert.InRange(burn.Samples.Count, 2, 7);
        Assert.InRange(burn.CpuMeanPercent, 50, 110); // of its half CPU; measured against the host it would read 25 %
        Assert.Equal(64L * 1024 * 1024, burn.MemoryLimitBytes);
        Assert.True(burn.Samples[^1].ThrottledPeriods > 0, "a container at its CPU limit is throttled");

        var hold = summaries.Single(s => s.Name == "hold");
        Assert.Null(hold.Problem);
        Assert.InRange(hold.MemoryMaxPercent, 40, 65);
        Assert.InRange(hold.MemoryMaxBytes, 30L * 1024 * 1024, 42L * 1024 * 1024);
        Assert.True(hold.CpuMeanPercent < 10, $"hold: {hold.CpuMeanPercent} %");
        Assert.True(hold.Samples.All(s => s.Threads >= 1));

        var grades = WatchedResource.Grade(burn, ThresholdTable.Default);
        Assert.Equal(Grade.Critical, grades.Single(g => g.Metric == "cpu").Grade);
        Assert.Equal(Grade.Good, WatchedResource.Grade(hold, ThresholdTable.Default).Single(g => g.Metric == "cpu").Grade);
    }

    [Fact]
    public async Task A_container_that_stops_while_watched_is_reported_once_with_how_it_ended()
    {
        await docker.RunAsync("short-lived", ["--cpus", "0.2", "--memory", "32m"], "sleep 600");
        var stopped = new List<(string Name, string What)>();
        await using var watch = new ContainerWatch(new DockerConfig { Host = docker.Host, Containers = ["short-lived"] });
        watch.Stopped += (name, what) =>
        {
            lock (stopped)
                stopped.Add((name, what));
        };
        await Task.Delay(1500);
        var killed = DateTime.UtcNow;
        Assert.Equal(0, (await docker.Docker("kill", "short-lived")).ExitCode);
        while (DateTime.UtcNow - killed < TimeSpan.FromSeconds(15))
        {
            lock (stopped)
            {
                if (stopped.Count > 0)
                    break;
            }

            await Task.Delay(100);
        }

        var summary = Assert.Single(await watch.StopAsync());
        var (name, what) = Assert.Single(stopped);
        Assert.Equal("short-lived", name);
        Assert.Contains("exit code 137", what); // killed by SIGKILL
        Assert.True(summary.Samples.Count > 0, "what was sampled before is kept");
    }

    [Fact]
    public async Task A_missing_container_and_an_unreachable_engine_are_problems_in_the_report_not_crashes()
    {
        var missing = Assert.Single(await Watch(new DockerConfig { Host = docker.Host, Containers = ["no-such-container"] }, TimeSpan.FromSeconds(1)));
        Assert.Equal($"no container named 'no-such-container' on the Docker engine at {docker.Host}", missing.Problem);
        Assert.Empty(missing.Samples);

        var unreachable = Assert.Single(await Watch(new DockerConfig { Host = "unix:///nonexistent/docker.sock", Containers = ["auth-service"] }, TimeSpan.FromSeconds(1)));
        Assert.StartsWith("the Docker engine at unix:///nonexistent/docker.sock cannot be reached", unreachable.Problem);
    }
}
