using Zoptal.Build;
using Zoptal.Perf.Core;

namespace Zoptal.Build.Tests;

/// <summary>Planner behaviour in Nuke's style: one tiny graph per behaviour.</summary>
public sealed class ExecutionPlannerTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    private abstract class RecordingBuild : BuildHost
    {
        public List<string> Ran { get; } = [];
        protected Action Record(string name) => () => Ran.Add(name);
    }

    private sealed class Chain : RecordingBuild
    {
        Target A => _ => _.Executes(Record("A"));
        Target B => _ => _.DependsOn(A).Executes(Record("B"));
        Target C => _ => _.DependsOn(B).Executes(Record("C"));
        Target Unrelated => _ => _.Executes(Record("Unrelated"));
    }

    [Fact]
    public void DependsOn_pulls_dependencies_in_and_runs_them_first()
    {
        var build = new Chain();
        var result = _root.Run(build, "C");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["A", "B", "C"], build.Ran);
    }

    private sealed class Diamond : RecordingBuild
    {
        Target First => _ => _.Executes(Record("First"));
        Target Second => _ => _.Executes(Record("Second"));
        Target Third => _ => _.Executes(Record("Third"));
        Target Top => _ => _.DependsOn(Third, Second, First).Executes(Record("Top"));
    }

    [Fact]
    public void Independent_targets_run_in_declaration_order_whatever_the_order_of_DependsOn()
    {
        var build = new Diamond();
        _root.Run(build, "Top");
        Assert.Equal(["First", "Second", "Third", "Top"], build.Ran);
    }

    private sealed class DependentFor : RecordingBuild
    {
        Target Main => _ => _.Executes(Record("Main"));
        Target Setup => _ => _.DependentFor(Main).Executes(Record("Setup"));
    }

    [Fact]
    public void DependentFor_runs_the_target_before_the_one_it_is_for()
    {
        var build = new DependentFor();
        _root.Run(build, "Main");
        Assert.Equal(["Setup", "Main"], build.Ran);
    }

    private sealed class Ordering : RecordingBuild
    {
        Target Compile => _ => _.Executes(Record("Compile"));
        Target Clean => _ => _.Before(Compile).Executes(Record("Clean"));
        Target Pack => _ => _.After(Compile).Executes(Record("Pack"));
    }

    [Fact]
    public void Before_and_After_order_targets_without_pulling_them_in()
    {
        var alone = new Ordering();
        _root.Run(alone, "Compile");
        Assert.Equal(["Compile"], alone.Ran);

        var all = new Ordering();
        _root.Run(all, "Pack Compile Clean");
        Assert.Equal(["Clean", "Compile", "Pack"], all.Ran);
    }

    private sealed class Triggers : RecordingBuild
    {
        Target Prepare => _ => _.Executes(Record("Prepare"));
        Target Load => _ => _.Triggers(Report).Executes(Record("Load"));
        Target Report => _ => _.DependsOn(Prepare).Executes(Record("Report"));
        Target Notify => _ => _.TriggeredBy(Report).Executes(Record("Notify"));
    }

    [Fact]
    public void Triggers_are_followed_until_nothing_new_is_added_and_their_dependencies_come_along()
    {
        var build = new Triggers();
        _root.Run(build, "Load");
        Assert.Equal(["Prepare", "Load", "Report", "Notify"], build.Ran);
    }

    private sealed class Cycle : BuildHost
    {
        Target A => _ => _.DependsOn(C).Executes(() => { });
        Target B => _ => _.DependsOn(A).Executes(() => { });
        Target C => _ => _.DependsOn(B).Executes(() => { });
    }

    [Fact]
    public void A_cycle_is_an_error_that_names_the_cycle()
    {
        var result = _root.Run(new Cycle(), "C");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Circular dependency between targets: ", result.Output);
        Assert.Matches(@"(A -> B -> C -> A|B -> C -> A -> B|C -> A -> B -> C)", result.Output);
    }

    [Fact]
    public void An_unknown_target_is_an_error_that_lists_the_known_ones_and_suggests_one()
    {
        var result = _root.Run(new Chain(), "Unrelatd");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Target 'Unrelatd' is not defined. Did you mean 'Unrelated'? Available targets: A, B, C, Unrelated.", result.Output);
    }

    private sealed class Named : RecordingBuild
    {
        Target LoadTest => _ => _.Executes(Record("LoadTest"));
    }

    [Theory]
    [InlineData("load-test")]
    [InlineData("LOADTEST")]
    [InlineData("--target load-test")]
    public void Target_names_match_case_insensitively_with_dashes_removed(string arguments)
    {
        var build = new Named();
        Assert.Equal(0, _root.Run(build, arguments).ExitCode);
        Assert.Equal(["LoadTest"], build.Ran);
    }

    [Fact]
    public void The_default_target_runs_when_none_is_named()
    {
        var build = new Chain();
        _root.Run(build, "", defaults: ["B"]);
        Assert.Equal(["A", "B"], build.Ran);
    }

    [Fact]
    public void Skip_with_names_skips_those_but_still_runs_their_dependencies()
    {
        var build = new Chain();
        var result = _root.Run(build, "C --skip B");
        Assert.Equal(["A", "C"], build.Ran);
        Assert.Equal(TargetStatus.Skipped, result.Target("B").Status);
    }

    [Fact]
    public void Skip_without_names_skips_everything_not_invoked()
    {
        var build = new Chain();
        _root.Run(build, "C --skip");
        Assert.Equal(["C"], build.Ran);
    }

    [Fact]
    public void Invoked_targets_are_never_skipped()
    {
        var build = new Chain();
        _root.Run(build, "C --skip C");
        Assert.Equal(["A", "B", "C"], build.Ran);
    }

    private sealed class StaticSkip : RecordingBuild
    {
        public bool Enabled;
        Target Shared => _ => _.Executes(Record("Shared"));
        Target OnlyMine => _ => _.Executes(Record("OnlyMine"));
        Target Guarded => _ => _.DependsOn(Shared, OnlyMine).OnlyWhenStatic(() => Enabled).Executes(Record("Guarded"));
        Target Other => _ => _.DependsOn(Shared).Executes(Record("Other"));
        Target All => _ => _.DependsOn(Guarded, Other).Executes(Record("All"));
    }

    [Fact]
    public void OnlyWhenStatic_skips_the_target_and_its_dependencies_unless_another_target_needs_them()
    {
        var build = new StaticSkip();
        var result = _root.Run(build, "All");
        Assert.Equal(["Shared", "Other", "All"], build.Ran);
        Assert.Equal(TargetStatus.Skipped, result.Target("Guarded").Status);
        Assert.Equal("() => Enabled", result.Target("Guarded").SkipReason);
        Assert.Equal(TargetStatus.Skipped, result.Target("OnlyMine").Status);
        Assert.Contains("() => Enabled", result.Output);
    }

    private sealed class StaticSkipExecute : RecordingBuild
    {
        Target Dependency => _ => _.Executes(Record("Dependency"));
        Target Guarded => _ => _.DependsOn(Dependency).OnlyWhenStatic(() => false).WhenSkipped(DependencyBehavior.Execute).Executes(Record("Guarded"));
    }

    [Fact]
    public void WhenSkipped_Execute_runs_the_dependencies_of_a_statically_skipped_target()
    {
        var build = new StaticSkipExecute();
        _root.Run(build, "Guarded");
        Assert.Equal(["Dependency"], build.Ran);
    }

    private sealed class DynamicSkip : RecordingBuild
    {
        bool _found;
        Target Probe => _ => _.Executes(() => { _found = false; Ran.Add("Probe"); });
        Target Act => _ => _.DependsOn(Probe).OnlyWhenDynamic(() => _found).Executes(Record("Act"));
        Target After => _ => _.DependsOn(Act).Executes(Record("After"));
    }

    [Fact]
    public void OnlyWhenDynamic_is_checked_right_before_the_target_runs_and_its_text_is_the_reason()
    {
        var build = new DynamicSkip();
        var result = _root.Run(build, "After");
        Assert.Equal(["Probe", "After"], build.Ran);
        Assert.Equal("() => _found", result.Target("Act").SkipReason);
    }

    private sealed class Required : RecordingBuild
    {
        [Parameter("API token")] readonly string? Token;
        [Parameter("VUs")] readonly int Vus;
        Target First => _ => _.Executes(Record("First"));
        Target Publish => _ => _.DependsOn(First).Requires(() => Token).Requires(() => Vus > 0).Executes(Record("Publish"));
    }

    [Fact]
    public void Requires_is_checked_before_anything_runs()
    {
        var build = new Required();
        var result = _root.Run(build, "Publish");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Empty(build.Ran);
        Assert.Contains("Target 'Publish' requires parameter '--token' to have a value.", result.Output);
        Assert.Contains("Target 'Publish' requires (Vus > 0).", result.Output);

        var satisfied = new Required();
        Assert.Equal(0, _root.Run(satisfied, "Publish --token abc --vus 2").ExitCode);
        Assert.Equal(["First", "Publish"], satisfied.Ran);
    }

    private sealed class Failures : RecordingBuild
    {
        Target Tolerated => _ => _.ProceedAfterFailure().Executes(() => throw new InvalidOperationException("tolerated"));
        Target Next => _ => _.DependsOn(Tolerated).Executes(Record("Next"));
        Target Breaks => _ => _.DependsOn(Next).Executes(() => throw new InvalidOperationException("broken"));
        Target Later => _ => _.DependsOn(Breaks).Executes(Record("Later"));
        Target Cleanup => _ => _.TriggeredBy(Breaks).AssuredAfterFailure().Executes(Record("Cleanup"));
    }

    [Fact]
    public void ProceedAfterFailure_goes_on_a_plain_failure_stops_and_assured_targets_still_run()
    {
        var build = new Failures();
        var result = _root.Run(build, "Later");
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal(["Next", "Cleanup"], build.Ran);
        Assert.Equal(TargetStatus.Failed, result.Target("Tolerated").Status);
        Assert.Equal(TargetStatus.Failed, result.Target("Breaks").Status);
        Assert.Equal(TargetStatus.NotRun, result.Target("Later").Status);
        Assert.Equal(TargetStatus.Succeeded, result.Target("Cleanup").Status);
        Assert.Contains("// InvalidOperationException: broken", result.Output);
    }

    private sealed class Gate : BuildHost
    {
        Target Report => _ => _.Executes(() => throw new GateFailedException("p95 is critical"));
    }

    [Fact]
    public void A_failed_gate_ends_the_build_with_exit_code_99()
    {
        var result = _root.Run(new Gate(), "Report");
        Assert.Equal(ExitCodes.GateFailed, result.ExitCode);
        Assert.Contains("p95 is critical", result.Output);
    }

    private sealed class Interruptible : RecordingBuild
    {
        public CancellationTokenSource Source { get; } = new();
        Target Long => _ => _.Executes(async ct =>
        {
            Ran.Add("Long");
            await Source.CancelAsync();
            await Task.Delay(TimeSpan.FromMinutes(1), ct);
        });
        Target Next => _ => _.DependsOn(Long).Executes(Record("Next"));
        Target Cleanup => _ => _.TriggeredBy(Long).AssuredAfterFailure().Executes(async ct =>
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            Ran.Add("Cleanup");
        });
    }

    [Fact]
    public void Cancellation_aborts_the_running_target_runs_assured_targets_with_a_live_token_and_exits_130()
    {
        var build = new Interruptible();
        var result = _root.Run(build, "Next", cancellation: build.Source.Token);
        Assert.Equal(ExitCodes.Interrupted, result.ExitCode);
        Assert.Equal(["Long", "Cleanup"], build.Ran);
        Assert.Equal(TargetStatus.Aborted, result.Target("Long").Status);
        Assert.Equal(TargetStatus.NotRun, result.Target("Next").Status);
    }

    private interface ISharedTargets
    {
        Target Lint => _ => _.Description("from an interface").Executes(() => { });
    }

    private sealed class WithInterface : RecordingBuild, ISharedTargets
    {
        Target Compile => _ => _.DependsOn(((ISharedTargets)this).Lint).Executes(Record("Compile"));
    }

    [Fact]
    public void Targets_can_come_from_default_members_of_interfaces()
    {
        var build = new WithInterface();
        var result = _root.Run(build, "Compile");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Lint", "Compile"], build.ExecutionPlan.Select(t => t.Name));
    }

    [Fact]
    public void Plan_prints_the_order_writes_a_Mermaid_graph_and_runs_nothing()
    {
        var build = new Triggers();
        var result = _root.Run(build, "Load --plan");
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(build.Ran);
        Assert.Contains("2. Load *", result.Output);
        Assert.Contains("3. Report  (after Prepare; triggered by Load)", result.Output);
        var html = File.ReadAllText(Path.Combine(_root.Path, ".nuke", "temp", "execution-plan.html"));
        Assert.Contains("graph LR", html);
        Assert.Contains("Prepare --&gt; Report", html);
        Assert.Contains("Load -.-&gt;|triggers| Report", html);
    }
}
