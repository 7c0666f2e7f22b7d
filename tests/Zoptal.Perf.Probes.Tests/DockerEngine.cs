using System.Diagnostics;
using Zoptal.Build;

namespace Zoptal.Perf.Probes.Tests;

/// <summary>
/// A private Docker engine, started exactly as reference/environment.md shows: its own data and exec roots, a private
/// socket, and its networking switched off (no bridge, no iptables, no NAT); an image imported from busybox-static.
/// Containers run with <c>--network none</c> and <c>--pull never</c>. Stopped by its pid.
/// </summary>
public sealed class DockerEngine : IAsyncLifetime
{
    public const string Image = "zoptal/busybox:test";
    private readonly string _root = Directory.CreateTempSubdirectory("zoptal-dockerd-").FullName;
    private Process? _dockerd;

    /// <summary><c>unix:///.../docker.sock</c>.</summary>
    public string Host => $"unix://{_root}/docker.sock";

    public async Task InitializeAsync()
    {
        if (AptTasks.Dockerd is null || AptTasks.Busybox is null)
            throw new InvalidOperationException("dockerd or busybox is not installed; ./build.sh Test installs them (apt-get install docker.io busybox-static).");
        if (Environment.UserName != "root")
            throw new InvalidOperationException("dockerd needs root; run the tests as root (CI does).");
        _dockerd = Process.Start(new ProcessStartInfo(AptTasks.Dockerd!,
        [
            "--data-root", $"{_root}/data", "--exec-root", $"{_root}/exec", "--pidfile", $"{_root}/dockerd.pid", "-H", Host,
            "--bridge=none", "--iptables=false", "--ip-masq=false", "--ip-forward=false",
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _dockerd.OutputDataReceived += (_, _) => { };
        _dockerd.ErrorDataReceived += (_, _) => { };
        _dockerd.BeginOutputReadLine();
        _dockerd.BeginErrorReadLine();
        for (var i = 0; i < 100 && !File.Exists($"{_root}/docker.sock"); i++)
            await Task.Delay(100);
        for (var i = 0; i < 50 && (await Docker("info")).ExitCode != 0; i++)
            await Task.Delay(100);

        var rootfs = Directory.CreateDirectory(Path.Combine(_root, "rootfs", "bin")).FullName;
        File.Copy(AptTasks.Busybox!, Path.Combine(rootfs, "busybox"));
        foreach (var applet in new[] { "sh", "sleep", "dd", "yes", "cat", "mkdir", "mount" })
            File.CreateSymbolicLink(Path.Combine(rootfs, applet), "busybox");
        var (tar, tarOutput) = await Run("tar", ["-C", Path.Combine(_root, "rootfs"), "-cf", Path.Combine(_root, "rootfs.tar"), "."]);
        Assert.True(tar == 0, tarOutput);
        var (import, importOutput) = await Docker("import", Path.Combine(_root, "rootfs.tar"), Image);
        Assert.True(import == 0, importOutput);
    }

    /// <summary>Starts a container from the busybox image, networking off, never pulling.</summary>
    public async Task<string> RunAsync(string name, string[] limits, string script)
    {
        var (exit, output) = await Docker(["run", "-d", "--pull", "never", "--network", "none", "--name", name, .. limits, Image, "sh", "-c", script]);
        Assert.True(exit == 0, output);
        return output.Trim();
    }

    public Task<(int ExitCode, string Output)> Docker(params string[] arguments) => Run("docker", ["-H", Host, .. arguments]);

    private static async Task<(int, string)> Run(string file, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    public async Task DisposeAsync()
    {
        if (_dockerd is { HasExited: false })
        {
            var (_, ids) = await Docker("ps", "-aq");
            foreach (var id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                await Docker("rm", "-f", id);
            // SIGTERM: dockerd stops its containerd and shims; SIGKILL (Process.Kill) would leave them behind.
            await Run("kill", ["-TERM", _dockerd.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _dockerd.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _dockerd.Kill(entireProcessTree: true);
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a mount still held by a shim; the folder is in /tmp
        }
    }
}
