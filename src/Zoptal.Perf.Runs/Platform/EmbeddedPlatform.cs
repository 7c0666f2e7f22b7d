using System.Diagnostics;
using Zoptal.Perf.Core;

namespace Zoptal.Perf.Runs.Platform;

/// <summary>
/// The sample Zoptal platform as a child process: started on loopback, its services' addresses read from its
/// standard output, stopped afterwards (also on failure and Ctrl+C; it also stops by itself when our end of its
/// standard input closes, so it never outlives the build).
/// </summary>
public sealed class EmbeddedPlatform : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Dictionary<string, Uri> _urls = [];

    private EmbeddedPlatform(Process process) => _process = process;

    /// <summary>Each service's base address.</summary>
    public IReadOnlyDictionary<string, Uri> Urls => _urls;

    /// <summary>The platform's process id (for resource sampling).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Completes when the platform's process exits, with its exit code (a run watches it to stop loading a dead port).</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellation)
    {
        await _process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Where the built platform is, next to the running build's configuration; null when it is not built.</summary>
    public static string? Locate(string rootDirectory)
    {
        var folder = Path.Combine(rootDirectory, "src", "Zoptal.SamplePlatform", "bin");
        if (!Directory.Exists(folder))
            return null;
        var candidates = Directory.GetFiles(folder, "Zoptal.SamplePlatform.dll", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}ref{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        return candidates.FirstOrDefault(p => p.Contains($"{Path.DirectorySeparatorChar}{configuration}{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            ?? candidates.OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
    }

    /// <summary>Starts the platform and waits until every service listens (60 s at most).</summary>
    public static async Task<EmbeddedPlatform> StartAsync(string assemblyPath, IReadOnlyList<string> arguments, Action<string> log, CancellationToken cancellation,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(assemblyPath))
            throw new RunFailedException($"The sample platform is not built: {assemblyPath} is missing. Run ./build.sh Compile.");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assemblyPath);
        start.ArgumentList.Add("--watch-stdin");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new RunFailedException("Could not start the sample platform (dotnet).");
        var platform = new EmbeddedPlatform(process);
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (errors)
                    errors.Add(line);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                string? line;
                try
                {
                    line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    throw new RunFailedException("The sample platform did not report ready within 60 s.");
                }

                if (line is null)
                {
                    await process.WaitForExitAsync(CancellationToken.None);
                    string why;
                    lock (errors)
                    {
                        // The platform says what went wrong in one "error: ..." line; only a crash leaves a trace instead.
                        why = errors.LastOrDefault(e => e.StartsWith("error: ", StringComparison.Ordinal)) is { } said
                            ? said["error: ".Length..]
                            : $"exit code {process.ExitCode}{Environment.NewLine}{string.Join(Environment.NewLine, errors.TakeLast(20))}";
                    }

                    throw new RunFailedException($"The sample platform did not start: {why}");
                }

                var parts = line.Split(' ', 3);
                if (parts is ["ready", "all"])
                {
                    log($"sample platform: ready (process {process.Id})");
                    break;
                }

                if (parts is ["ready", var service, var url])
                {
                    platform._urls[service] = new Uri(url);
                    log($"sample platform: {service} on {url}");
                }
            }

            // Keep draining its output so it never blocks on a full pipe.
            _ = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is not null)
                {
                }
            }, CancellationToken.None);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the platform: closes its standard input, then kills it if it has not exited within 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
