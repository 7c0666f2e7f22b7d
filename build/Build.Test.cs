using Zoptal.Build;

partial class Build
{
    AbsolutePath TestResultsDirectory => ArtifactsDirectory / "test-results";

    AbsolutePath PowerShellFolder => RootDirectory / ".nuke" / "temp" / "pwsh";

    Target Test => _ => _
        .Description("Runs every test project; TRX files go to artifacts/test-results/")
        .DependsOn(Compile)
        .Produces("artifacts/test-results")
        .Executes(async ct =>
        {
            // Integration tests start a private PostgreSQL cluster and a private dockerd with its networking off, and
            // hand outputs to their JavaScript consumers under Node.js (npm packages go to .nuke/temp/node), and open the
            // HTML report in Chromium.
            await AptTasks.EnsureAsync([AptTasks.PostgreSql, AptTasks.DockerEngine, AptTasks.NodeJs, AptTasks.Chromium], ct);
            // PowerShell 7 runs build.ps1 in the tests as build.sh is run (Debian has no package; NuGet has the tool).
            await DotNetTasks.ToolAsync("PowerShell", "7.6.9", "pwsh", PowerShellFolder, ct);
            var summary = await DotNetTasks.TestAsync(RootDirectory, TestResultsDirectory, Configuration.ToString(), ct);
            ReportSummary("Tests", summary.ToString());
            // The plain closing line CI reads, after the summary table.
            ClosingLines.Add(summary.ToString());
            if (summary.Failed > 0)
                throw new InvalidOperationException($"{summary.Failed} test(s) failed; see {TestResultsDirectory.RelativeTo(RootDirectory)}.");
            await DotNetTasks.VerifyFormatAsync(Solution, ct);
        });
}
