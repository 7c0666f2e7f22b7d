using Zoptal.Build;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Build.Tests;

/// <summary>The outcome of an in-process build run.</summary>
public sealed record BuildResult(int ExitCode, string Output, BuildHost Build)
{
    public ExecutableTarget Target(string name) => Build.ExecutionPlan.Single(t => t.Name == name);
}

/// <summary>Runs a build in memory against a temporary root with a .nuke/ folder.</summary>
public sealed class TempRoot : IDisposable
{
    public TempRoot()
    {
        Path = Directory.CreateTempSubdirectory("zoptal-build-").FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(Path, ".nuke"));
    }

    public string Path { get; }

    public string Write(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public BuildResult Run(BuildHost build, string arguments = "", IDictionary<string, string>? environment = null,
        string[]? defaults = null, CancellationToken cancellation = default, SecretMasker? masker = null)
    {
        var output = new StringWriter();
        var args = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (!args.Contains("--no-logo"))
            args.Add("--no-logo");
        var invocation = new BuildInvocation(args, new Dictionary<string, string>(environment ?? new Dictionary<string, string>()),
            Path, output, masker ?? new SecretMasker(), cancellation);
        var exitCode = BuildRunner.Run(build, invocation, defaults ?? []);
        return new BuildResult(exitCode, output.ToString(), build);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
