using Zoptal.Build;

/// <summary>The Zoptal.Perf build: targets and parameters only; the logic lives in src/.</summary>
partial class Build : BuildHost
{
    public static int Main()
    {
        // The build process is also the load generator: socket completions on the I/O threads, before any socket.
        Zoptal.Perf.Load.LoadRuntime.UseInlineSocketCompletions();
        return Execute<Build>(x => x.Compile);
    }

    [Parameter("Configuration to build: Debug or Release")]
    readonly BuildConfiguration Configuration = BuildConfiguration.Debug;

    AbsolutePath Solution => RootDirectory / "Zoptal.Perf.sln";
    AbsolutePath ArtifactsDirectory => RootDirectory / "artifacts";

    Target Clean => _ => _
        .Description("Deletes bin/, obj/ and artifacts/ (never performance-results/)")
        .Before(Compile)
        .Executes(() => DotNetTasks.Clean(RootDirectory));

    Target Compile => _ => _
        .Description("Builds the solution")
        .Executes(ct => DotNetTasks.BuildAsync(Solution, Configuration.ToString(), ct));
}

enum BuildConfiguration
{
    Debug,
    Release,
}
