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
            var resultsRoot = config.ResultsRoot;
            var outcome = OptimizeSession.Run(new OptimizeRequest(RootDirectory, config.Optimize, resultsRoot, DateTimeOffset.UtcNow)
            {
                Areas = Areas.Length == 0 ? Enum.GetValues<Area>().ToHashSet() : Areas.ToHashSet(),
                Apply = Apply,
                Database = config.Database,
                Masker = Secrets,
            });
            Log.Information($"read {outcome.Files.Count} files: {string.Join(", ", outcome.Files.Take(12))}{(outcome.Files.Count > 12 ? ", ..." : "")}");
            foreach (var finding in outcome.Findings.OrderByDescending(f => f.Severity))
                Log.Information($"{finding.Severity.ToString().ToLowerInvariant(),-8} {finding.RuleId,-28} {finding.File}{(finding.Line is { } l ? $":{l}" : "")}  {finding.Title}{(finding.Patch is not null ? " (patched)" : finding.NotPatched is { } why ? $" ({why})" : "")}");
            foreach (var diff in outcome.Diffs)
                Log.Information(diff.TrimEnd());
            Log.Information($"report: {Path.GetRelativePath(RootDirectory, outcome.ReportPath)}");
            if (outcome.BackupPath is { } backups)
                Log.Information($"applied {outcome.Patches.Count} patches; originals in {Path.GetRelativePath(RootDirectory, backups)}");
            else if (outcome.Patches.Count > 0)
                Log.Information($"{outcome.Patches.Count} patches proposed; ./build.sh Optimize --apply writes them");
            ReportSummary("Findings", outcome.Findings.Count.ToString());
            ReportSummary("Patches", $"{outcome.Patches.Count} {(Apply ? "applied" : "proposed")}");
        });
}
