using System.Diagnostics;

namespace Zoptal.Perf.Testing;

/// <summary>
/// npm packages the tests hand outputs to (their real consumers), installed once into .nuke/temp/node with Debian's
/// node and npm (the Test target installs those when missing).
/// </summary>
public static class NodePackages
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The folder whose node_modules holds the package, installing it when absent.</summary>
    public static async Task<string> EnsureAsync(string package, string version)
    {
        var folder = Path.Combine(RepositoryPaths.Root(), ".nuke", "temp", "node");
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(folder, "node_modules", package, "package.json")))
            {
                Directory.CreateDirectory(folder);
                var (code, output) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--prefix", folder, $"{package}@{version}"], folder);
                Assert.True(code == 0, $"npm install {package}@{version} failed: {output}");
            }

            return folder;
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Runs node on a script in <paramref name="folder"/> (so require finds its node_modules) and returns its standard output.</summary>
    public static async Task<string> NodeAsync(string folder, string script, params string[] arguments)
    {
        var path = Path.Combine(folder, $"script-{Guid.NewGuid():N}.cjs");
        await File.WriteAllTextAsync(path, script);
        try
        {
            var (code, output) = await RunAsync("node", [path, .. arguments], folder);
            Assert.True(code == 0, $"node failed: {output}");
            return output;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> arguments, string directory)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (process.ExitCode == 0 ? "" : await stderr));
    }
}
