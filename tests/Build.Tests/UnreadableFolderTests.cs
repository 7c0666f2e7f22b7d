using System.Diagnostics;
using Zoptal.Perf.Testing;

namespace Zoptal.BuildDefinition.Tests;

/// <summary>
/// Optimize over a repository with a folder its user may not list: the folder is a finding (folder-unreadable), the
/// rest is read. Root lists every folder whatever its mode, so as root the build runs as nobody (setpriv), as a user
/// of a real machine would.
/// </summary>
public sealed class UnreadableFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zoptal-unreadable-").FullName;

    public void Dispose()
    {
        RunAsync("chmod", ["700", Path.Combine(_folder, "repo", "secret")]).GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_listed_is_a_finding_and_the_other_files_are_still_read()
    {
        var repo = Directory.CreateDirectory(Path.Combine(_folder, "repo")).FullName;
        Directory.CreateDirectory(Path.Combine(repo, ".nuke"));
        Directory.CreateDirectory(Path.Combine(repo, "services", "auth"));
        Directory.CreateDirectory(Path.Combine(repo, "secret"));
        File.WriteAllText(Path.Combine(repo, "perf-config.yml"), "services:\n  - name: auth\n    baseUrl: embedded\n");
        File.WriteAllText(Path.Combine(repo, "services", "auth", "Dockerfile"), "FROM node:latest\nCMD npm start\n");
        File.WriteAllText(Path.Combine(repo, "secret", "Dockerfile"), "FROM node:20\n");
        var home = Directory.CreateDirectory(Path.Combine(_folder, "home")).FullName;
        var root = Environment.UserName == "root";
        if (root)
        {
            // The temporary folder is root's (mode 700): nobody must reach the repository through it.
            Assert.Equal(0, await RunAsync("chmod", ["755", _folder]));
            Assert.Equal(0, await RunAsync("chown", ["-R", "65534:65534", repo, home]));
        }
        Assert.Equal(0, await RunAsync("chmod", ["000", Path.Combine(repo, "secret")]));

        var build = Directory.GetFiles(Path.Combine(RepositoryPaths.Root(), "build", "bin"), "_build.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        string[] optimize = ["dotnet", build, "Optimize", "--root", repo, "--no-logo"];
        var output = new List<string>();
        var code = await RunAsync(root ? "setpriv" : optimize[0], root ? ["--reuid=65534", "--regid=65534", "--clear-groups", "--", .. optimize] : optimize[1..], output,
            new Dictionary<string, string> { ["HOME"] = home, ["DOTNET_CLI_HOME"] = home, ["CI"] = "true" });

        var text = string.Join('\n', output);
        Assert.True(code == 0, text);
        Assert.Contains(output, l => l.Contains("folder-unreadable") && l.Contains("secret/"));
        Assert.Contains(output, l => l.Contains("DL3007") && l.Contains("services/auth/Dockerfile"));
        Assert.DoesNotContain("secret/Dockerfile", text);
    }

    private static async Task<int> RunAsync(string file, IEnumerable<string> arguments, List<string>? output = null, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? [])
            start.Environment[name] = value;
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("GITHUB_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        output?.AddRange((await stdout + await stderr).Split('\n'));
        return process.ExitCode;
    }
}
