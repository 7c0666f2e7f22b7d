using System.Diagnostics;
using Zoptal.Build;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Results;
using Zoptal.Perf.Testing;

namespace Zoptal.BuildDefinition.Tests;

/// <summary>
/// build.ps1 run as build.sh is run, under PowerShell 7 on Linux (the NuGet tool the Test target installs into
/// .nuke/temp/pwsh): help, a target, a parameter, and the exit codes 2 and 99 passed through.
/// </summary>
public sealed class PowerShellBootstrapperTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zoptal-ps1-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Build_ps1_runs_help_a_target_and_passes_exit_codes_2_and_99_through()
    {
        var pwsh = await DotNetTasks.ToolAsync("PowerShell", "7.6.9", "pwsh", AbsolutePath.Create(Path.Combine(RepositoryPaths.Root(), ".nuke", "temp", "pwsh")), default);

        var help = await RunAsync(pwsh, "--help");
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("LoadTest", help.Output);

        var validate = await RunAsync(pwsh, "ValidateConfig", "--no-logo");
        Assert.True(validate.ExitCode == 0, validate.Output);
        Assert.Contains("Build succeeded", validate.Output);

        var typo = await RunAsync(pwsh, "LoadTest", "--vsu", "5", "--no-logo");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("Did you mean '--vus'?", typo.Output);

        // A run whose p95 is critical: Report fails the gate with 99, through PowerShell's exit.
        var config = Path.Combine(_folder, "perf-config.yml");
        File.WriteAllText(config, $"services:\n  - name: project\n    baseUrl: embedded\nresults:\n  directory: {Path.Combine(_folder, "results")}\n");
        var latency = new LatencySummary(1000, 1500, 10, 1, 1500, 2000, 2500, 3000, 3500, 3600, 3700, 4000);
        var metrics = new MetricSet(4500, 0, new Dictionary<string, long>(), 150, 0, 1000, 1000, latency, latency);
        var run = RunDirectory.Create(Path.Combine(_folder, "results"), DateTimeOffset.UtcNow, null);
        run.Complete(new RunSummary
        {
            RunId = run.RunId,
            Target = "LoadTest",
            StartedAt = DateTimeOffset.UtcNow,
            ConfigFile = config,
            ConfigDigest = "sha256:00",
            Phases = [new PhaseSummary("load", "constant-vus", 50, 30, [
                new ServiceSummary("project", "http://127.0.0.1:3002/", true, false, null, 30, metrics, metrics.Grade(ThresholdTable.Default), [], [])])],
        }, []);
        var gate = await RunAsync(pwsh, "Report", "--config", config, "--comment", "never", "--no-logo");
        Assert.True(gate.ExitCode == 99, gate.Output);
        Assert.Contains("Gate: FAILED (fail on critical)", gate.Output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string pwsh, params string[] arguments)
    {
        var start = new ProcessStartInfo(pwsh) { WorkingDirectory = RepositoryPaths.Root(), RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-NoProfile");
        start.ArgumentList.Add("-File");
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root(), "build.ps1"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["CI"] = "true"; // never rewrite files in the repository
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("GITHUB_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await stdout + await stderr);
    }
}
