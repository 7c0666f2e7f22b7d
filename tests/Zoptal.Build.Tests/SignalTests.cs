using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Zoptal.Build.Tests;

/// <summary>The host as a real process: Ctrl+C and SIGTERM, exit codes, GitHub Actions output.</summary>
public sealed class SignalTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private static string SampleBuildDll()
    {
        // tests/Zoptal.Build.Tests/bin/<Configuration>/net10.0/ -> tests/SampleBuild/bin/<Configuration>/net10.0/SampleBuild.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name;
        var tests = here.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(tests, "SampleBuild", "bin", configuration, "net10.0", "SampleBuild.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        return dll;
    }

    // A shell without job control starts background commands with SIGINT ignored, and an ignored signal is inherited:
    // the build then rightly never sees Ctrl+C. GNU env (coreutils 8.31+) gives the child SIGINT's default back, so the
    // test means the same however the suite was started.
    private static readonly bool EnvResetsSignals = File.Exists("/usr/bin/env") && Process.Start(new ProcessStartInfo("/usr/bin/env", ["--default-signal=INT", "true"])
    {
        RedirectStandardError = true,
    }) is { } probe && probe.WaitForExit(10_000) && probe.ExitCode == 0;

    private Process Start(string arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(EnvResetsSignals ? "/usr/bin/env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _root.Path,
        };
        if (EnvResetsSignals)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(SampleBuildDll());
        foreach (var argument in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            start.ArgumentList.Add(argument);
        start.Environment.Remove("GITHUB_ACTIONS");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        return Process.Start(start)!;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    // Runs a target, sends it a signal once it has printed the line, and returns its exit code and output.
    private async Task<(int ExitCode, string Output)> Interrupt(string target, string startedLine, int signal)
    {
        using var process = Start($"{target} --no-logo");
        var output = new System.Text.StringBuilder();
        var started = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
                output.AppendLine(e.Data);
            if (e.Data?.Contains(startedLine) == true)
                started.TrySetResult();
        };
        process.BeginOutputReadLine();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, kill(process.Id, signal));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        lock (output)
            return (process.ExitCode, output.ToString());
    }

    [Theory]
    [InlineData(2, "SIGINT")]
    [InlineData(15, "SIGTERM")]
    public async Task A_signal_cancels_the_running_target_runs_assured_targets_and_exits_130(int signal, string name)
    {
        var (exitCode, text) = await Interrupt("Slow", "slow target started", signal);
        Assert.True(exitCode == 130, $"{name}: exit code {exitCode}\n{text}");
        Assert.Contains("cleanup ran", text);
        Assert.Matches(@"Slow\s+Aborted", text);
        Assert.Matches(@"Cleanup\s+Succeeded", text);
    }

    [Fact]
    public async Task A_target_that_returns_what_it_has_after_Ctrl_C_is_shown_aborted_not_succeeded()
    {
        var (exitCode, text) = await Interrupt("Graceful", "graceful target started", 2);
        Assert.True(exitCode == 130, $"exit code {exitCode}\n{text}");
        Assert.Contains("partial results kept", text);
        Assert.Matches(@"Graceful\s+Aborted", text);
        Assert.DoesNotMatch(@"Graceful\s+Succeeded", text);
    }

    [Fact]
    public async Task The_real_process_masks_secrets_from_the_environment_and_exits_with_the_right_code()
    {
        using var process = Start("Hello --no-logo", new Dictionary<string, string> { ["TOKEN"] = "very-secret-token" });
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("hello, token ****", stdout);
        Assert.DoesNotContain("very-secret-token", stdout);

        using var bad = Start("Nope --no-logo");
        await bad.StandardOutput.ReadToEndAsync();
        await bad.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, bad.ExitCode);
    }
}
