using System.Diagnostics;

namespace Zoptal.Build;

/// <summary>Runs tools as child processes, their output streamed through the build's log (and so its secret mask).</summary>
public static class ProcessTasks
{
    /// <summary>Runs a tool to its end and returns its exit code; on cancellation the whole process tree is killed.</summary>
    public static async Task<int> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellation = default, Action<string>? onLine = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;

        var output = Log.Output;
        using var process = new Process { StartInfo = start };
        void Forward(string? line)
        {
            if (line is null)
                return;
            output.Write(LogLevel.Information, line);
            onLine?.Invoke(line);
        }

        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        Log.Debug($"> {fileName} {string.Join(' ', start.ArgumentList)}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        return process.ExitCode;
    }

    /// <summary>Runs a tool and fails when it exits non-zero.</summary>
    public static async Task RunCheckedAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellation = default)
    {
        var code = await RunAsync(fileName, arguments, workingDirectory, environment, cancellation);
        if (code != 0)
            throw new InvalidOperationException($"'{fileName}' exited with code {code}.");
    }
}
