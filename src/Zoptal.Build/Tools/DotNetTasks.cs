namespace Zoptal.Build;

/// <summary>The dotnet CLI steps of the build: clean, build, test with TRX results.</summary>
public static class DotNetTasks
{
    /// <summary>Deletes bin/ and obj/ under src/ and tests/, and artifacts/. The running build's own output is left alone.</summary>
    public static void Clean(AbsolutePath root)
    {
        foreach (var folder in new[] { "src", "tests" }.Select(f => root / f).Where(d => Directory.Exists(d)))
        {
            foreach (var project in Directory.EnumerateDirectories(folder))
            {
                foreach (var output in new[] { "bin", "obj" }.Select(o => Path.Combine(project, o)).Where(Directory.Exists))
                {
                    Log.Information($"Deleting {Path.GetRelativePath(root, output)}");
                    Directory.Delete(output, recursive: true);
                }
            }
        }

        if (Directory.Exists(root / "artifacts"))
            Directory.Delete(root / "artifacts", recursive: true);
    }

    /// <summary>Builds a solution.</summary>
    public static Task BuildAsync(AbsolutePath solution, string configuration, CancellationToken cancellation) =>
        ProcessTasks.RunCheckedAsync("dotnet", ["build", solution, "-c", configuration, "--nologo", "-v", "minimal", "/nodeReuse:false"],
            solution.Parent?.Value, cancellation: cancellation);

    /// <summary>
    /// A .NET tool at an exact version in its own folder (<c>dotnet tool install --tool-path</c>), installed when its
    /// command is not there yet; returns the command's path.
    /// </summary>
    public static async Task<AbsolutePath> ToolAsync(string package, string version, string command, AbsolutePath folder, CancellationToken cancellation)
    {
        var executable = folder / command;
        if (!File.Exists(executable))
        {
            Log.Information($"Installing the .NET tool {package} {version} into {folder} ...");
            await ProcessTasks.RunCheckedAsync("dotnet", ["tool", "install", package, "--version", version, "--tool-path", folder], cancellation: cancellation);
        }

        return executable;
    }

    /// <summary>Fails when <c>dotnet format</c> would change a file (whitespace, style and analyzers per .editorconfig).</summary>
    public static async Task VerifyFormatAsync(AbsolutePath solution, CancellationToken cancellation)
    {
        var code = await ProcessTasks.RunAsync("dotnet", ["format", solution, "--verify-no-changes", "-v", "quiet"], solution.Parent?.Value, cancellation: cancellation);
        if (code != 0)
            throw new InvalidOperationException($"'dotnet format' would change files (exit code {code}); run 'dotnet format {Path.GetFileName(solution)}' and commit.");
    }

    /// <summary>Runs each project under tests/ (already built), writes one TRX per project, and sums the results.</summary>
    public static async Task<TestResultSummary> TestAsync(AbsolutePath root, AbsolutePath resultsDirectory, string configuration, CancellationToken cancellation)
    {
        if (Directory.Exists(resultsDirectory))
            Directory.Delete(resultsDirectory, recursive: true);
        Directory.CreateDirectory(resultsDirectory);
        var projects = Directory.EnumerateFiles(root / "tests", "*.Tests.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var crashed = new List<string>();
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            var code = await ProcessTasks.RunAsync("dotnet",
                ["test", project, "-c", configuration, "--no-build", "--nologo", "--logger", $"trx;LogFileName={name}.trx", "--results-directory", resultsDirectory],
                root, cancellation: cancellation);
            // A failing test exits 1 with a TRX; a crash or build problem leaves no TRX, which must not pass silently.
            if (code != 0 && !File.Exists(resultsDirectory / $"{name}.trx"))
                crashed.Add(name);
        }

        var summary = TestResultSummary.FromDirectory(resultsDirectory);
        return crashed.Count == 0 ? summary : summary with { Failed = summary.Failed + crashed.Count };
    }
}
