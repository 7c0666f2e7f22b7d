using Zoptal.Build;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize;

partial class Build
{
    [Parameter("Optimize: write the patches (backups under .nuke/temp/optimize-backups/). Default: a dry run that shows the diffs")]
    readonly bool Apply;

    [Parameter("Optimize: the areas to look at: --areas docker,postgres. Default: all", Separator = ",")]
    readonly Area[] Areas = [];

    Target Optimize => _ => _
        .Description("Recommends configuration changes with their evidence (Dockerfiles, compose files, postgresql.conf, the database analysis); --apply writes them")
        .Executes(() =>
        {
            var config = LoadSettings().Config;
            var outcome = OptimizeSession.Run(new OptimizeRequest(RootDirectory, config.Optimize, config.ResultsRoot, DateTimeOffset.UtcNow)
            {
                Areas = Areas.Length == 0 ? Enum.GetValues<Area>().ToHashSet() : Areas.ToHashSet(),
                Apply = Apply,
                Database = config.Database,
                Masker = Secrets,
            });
            foreach (var line in outcome.Describe(RootDirectory))
                Log.Information(line);
            ReportSummary("Findings", outcome.Findings.Count.ToString());
            ReportSummary("Patches", $"{outcome.Patches.Count} {(Apply ? "applied" : "proposed")}");
        });
}
