using Zoptal.Build;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Build.Tests;

/// <summary>Secret masking, the summary table, help, GitHub Actions groups, annotations and the job summary.</summary>
public sealed class OutputTests : IDisposable
{
    private const string TokenValue = "ghp_s3cr3t-t0ken-value";
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private sealed class Leaky : BuildHost
    {
        [Parameter("GitHub token")]
        [Secret]
        readonly string? Token;

        Target Publish => _ => _.Executes(() =>
        {
            Log.Information($"using {Token}");
            Log.Warning($"warned with {Token}");
            // Written in pieces, the way a careless target might.
            Log.Output.Writer.Write(Token![..5]);
            Log.Output.Writer.Write(Token[5..]);
            Log.Output.Writer.WriteLine();
            ReportSummary("Token", Token);
            throw new InvalidOperationException($"failed with {Token}");
        });
    }

    [Theory]
    [InlineData("Publish --token " + TokenValue, null)]
    [InlineData("Publish", "TOKEN")]
    [InlineData("Publish", "NUKE_TOKEN")]
    public void A_secret_is_masked_everywhere_it_could_appear(string arguments, string? variable)
    {
        var summaryFile = Path.Combine(_root.Path, "step-summary.md");
        var environment = new Dictionary<string, string> { ["GITHUB_STEP_SUMMARY"] = summaryFile };
        if (variable is not null)
            environment[variable] = TokenValue;
        var result = _root.Run(new Leaky(), arguments, environment);
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain(TokenValue, result.Output);
        Assert.DoesNotContain(TokenValue[..12], result.Output);
        Assert.Contains("using ****", result.Output);
        Assert.Contains("// Token: ****", result.Output);
        Assert.Contains("InvalidOperationException: failed with ****", result.Output);
        Assert.DoesNotContain(TokenValue, File.ReadAllText(summaryFile));
    }

    [Fact]
    public void A_secret_that_does_not_convert_is_not_shown_in_the_error()
    {
        var result = _root.Run(new SecretNumber(), "Noop --pin 12ab34cd");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Invalid value '****' for parameter '--pin'", result.Output);
        Assert.DoesNotContain("12ab34cd", result.Output);
    }

    private sealed class SecretNumber : BuildHost
    {
        [Parameter, Secret] readonly int Pin;
        Target Noop => _ => _.Executes(() => { });
    }

    [Fact]
    public void The_masking_writer_masks_a_secret_split_across_writes()
    {
        var masker = new SecretMasker();
        masker.Add("hunter2-password");
        var inner = new StringWriter();
        var writer = new MaskingTextWriter(inner, masker);
        writer.Write("pass: hunter2-");
        writer.Write("password");
        writer.Write('\n');
        Assert.Equal("pass: ****\n", inner.ToString());
    }

    private sealed class Summary : BuildHost
    {
        Target Restore => _ => _.Executes(() => { });
        Target CompileEverything => _ => _.DependsOn(Restore).Executes(() => { });
        Target Group => _ => _.DependsOn(CompileEverything);
    }

    [Fact]
    public void The_summary_table_follows_Nukes_layout()
    {
        var build = new Summary();
        var result = _root.Run(build, "Group");
        var plan = build.ExecutionPlan;
        plan[0].Duration = TimeSpan.FromSeconds(2);
        plan[1].Duration = TimeSpan.FromSeconds(75);
        plan[1].SummaryNotes["Version"] = "1.2.3";
        plan[1].SummaryNotes["Warnings"] = "0";
        var table = SummaryTable.Render(plan, succeeded: true, new DateTimeOffset(2026, 11, 26, 20, 0, 0, TimeSpan.Zero));
        // Target column: max(longest name + 4, 19); status 10; duration 10, right-aligned m:ss; collective targets hidden.
        var expected = """
            ═════════════════════════════════════════
            Target               Status      Duration
            ─────────────────────────────────────────
            Restore              Succeeded       0:02
            CompileEverything    Succeeded       1:15   // Version: 1.2.3
                                                        // Warnings: 0
            ─────────────────────────────────────────
            Total                                1:17
            ═════════════════════════════════════════

            Build succeeded on 2026-11-26 20:00:00. ＼（＾ᴗ＾）／

            """;
        Assert.Equal(expected.ReplaceLineEndings(), table.ReplaceLineEndings());
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void The_summary_is_appended_to_the_GitHub_step_summary_as_Markdown()
    {
        var file = _root.Write("summary.md", "earlier content\n");
        _root.Run(new Summary(), "Group", new Dictionary<string, string> { ["GITHUB_STEP_SUMMARY"] = file });
        var markdown = File.ReadAllText(file);
        Assert.StartsWith("earlier content\n### Build succeeded", markdown);
        Assert.Contains("| Target | Status | Duration | Notes |", markdown);
        Assert.Contains("| CompileEverything | ✅ Succeeded | 0:00 |  |", markdown);
        Assert.DoesNotContain("| Group |", markdown);
    }

    private sealed class Warns : BuildHost
    {
        Target Check => _ => _.Executes(() => Log.Warning("100% slower\nsee the report"));
        Target Fail => _ => _.DependsOn(Check).Executes(() => throw new InvalidOperationException("broken"));
    }

    [Fact]
    public void Under_GitHub_Actions_each_target_is_a_group_and_problems_are_annotations()
    {
        var result = _root.Run(new Warns(), "Fail", new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" });
        Assert.Contains("::group::Check\n::warning::100%25 slower%0Asee the report\n::endgroup::\n", result.Output.ReplaceLineEndings("\n"));
        Assert.Contains("::group::Fail\n::error::Target 'Fail' failed: broken\n::endgroup::\n", result.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Locally_problems_are_replayed_before_the_summary()
    {
        var result = _root.Run(new Warns(), "Fail");
        var replay = result.Output.IndexOf("Errors & Warnings", StringComparison.Ordinal);
        Assert.True(replay > 0, result.Output);
        Assert.Contains("[WRN] 100% slower", result.Output[replay..]);
        Assert.Contains("[ERR] Target 'Fail' failed: broken", result.Output[replay..]);
    }

    private sealed class Helpful : BuildHost
    {
        [Parameter("Virtual users", EnvironmentVariables = ["LOAD_TEST_VUS"])] readonly int Vus = 50;
        [Parameter("Where results go")] readonly AbsolutePath? ResultsDir;
        [Parameter("Token"), Secret] readonly string Token = "default-secret-value";
        Target Compile => _ => _.Description("Builds").Executes(() => { });
        Target LoadTest => _ => _.Description("Runs load").DependsOn(Compile).Executes(() => { });
        Target Hidden => _ => _.Unlisted().Executes(() => { });
    }

    [Fact]
    public void Help_lists_targets_with_direct_dependencies_and_the_default_then_parameters_in_kebab_case()
    {
        var result = _root.Run(new Helpful(), "--help", defaults: ["Compile"]);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("Targets (with their direct dependencies):", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  Compile (default)") && l.EndsWith("Builds"));
        Assert.Contains(lines, l => l.StartsWith("  LoadTest") && l.Contains("-> Compile") && l.EndsWith("Runs load"));
        Assert.DoesNotContain(lines, l => l.Contains("Hidden"));
        Assert.Contains(lines, l => l.StartsWith("  --vus") && l.EndsWith("Virtual users. Type: int. Default: 50. Env: LOAD_TEST_VUS."));
        Assert.Contains(lines, l => l.StartsWith("  --results-dir") && l.EndsWith("Where results go. Type: path."));
        Assert.Contains(lines, l => l.StartsWith("  --token") && l.EndsWith("Type: string. Default: ****. Secret."));
        Assert.DoesNotContain("default-secret-value", result.Output);
    }

    [Fact]
    public void An_empty_invocation_without_a_default_shows_help_and_exits_2()
    {
        var result = _root.Run(new Helpful(), "");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Targets (with their direct dependencies):", result.Output);
    }

    [Fact]
    public void A_bad_verbosity_is_a_usage_error()
    {
        var result = _root.Run(new Helpful(), "Compile --verbosity loud");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'--verbosity'", result.Output);
    }

    [Fact]
    public void Quiet_verbosity_prints_errors_only()
    {
        var result = _root.Run(new Warns(), "Check --verbosity quiet");
        Assert.DoesNotContain("100% slower", result.Output.Split("Errors & Warnings")[0]);
        Assert.DoesNotContain("═══", result.Output);
    }
}
