using Zoptal.Build;
using Zoptal.Perf.Core;

namespace Zoptal.Build.Tests;

/// <summary>Parameter binding from every source, in Nuke's order of precedence, and its errors.</summary>
public sealed class ParameterBindingTests : IDisposable
{
    private readonly TempRoot _root = new();

    public void Dispose() => _root.Dispose();

    public enum Executor
    {
        ConstantVus,
        RampingVus,
    }

    private sealed class Parameters : BuildHost
    {
        [Parameter("Virtual users", EnvironmentVariables = ["LOAD_TEST_VUS"])] public readonly int Vus = 50;
        [Parameter("Duration", EnvironmentVariables = ["LOAD_TEST_DURATION"])] public readonly TimeSpan Duration = TimeSpan.FromSeconds(300);
        [Parameter] public readonly bool Concurrent;
        [Parameter] public readonly double Ratio = 0.5;
        [Parameter] public readonly Executor Mode = Executor.ConstantVus;
        [Parameter(Separator = ",")] public readonly string[] Services = [];
        [Parameter] public readonly int[] Ports = [];
        [Parameter] public readonly AbsolutePath? ResultsDir;
        [Parameter] public readonly int? Optional;
        [Parameter] public string Name { get; } = "default";
        [Parameter] public string? Label { get; set; }
        Target Noop => _ => _.Executes(() => { });
    }

    private Parameters Bind(string arguments, IDictionary<string, string>? environment = null)
    {
        var build = new Parameters();
        var result = _root.Run(build, "Noop " + arguments, environment);
        Assert.True(result.ExitCode == 0, result.Output);
        return build;
    }

    [Theory]
    [InlineData("--vus 20")]
    [InlineData("--Vus 20")]
    [InlineData("-vus 20")]
    [InlineData("--VUS=20")]
    [InlineData("--vus 10 --vus 20")]
    public void Command_line_names_are_case_and_dash_insensitive_and_the_last_occurrence_wins(string arguments) =>
        Assert.Equal(20, Bind(arguments).Vus);

    [Fact]
    public void A_bool_flag_without_a_value_is_true()
    {
        Assert.True(Bind("--concurrent").Concurrent);
        Assert.True(Bind("--Concurrent").Concurrent);
        Assert.False(Bind("--concurrent false").Concurrent);
        Assert.False(Bind("").Concurrent);
    }

    [Fact]
    public void Every_supported_type_converts()
    {
        var build = Bind("--duration 1h30m --ratio 0.25 --mode ramping-vus --services auth,project --ports 80 443 --results-dir out --optional 3 --name n --label l");
        Assert.Equal(TimeSpan.FromMinutes(90), build.Duration);
        Assert.Equal(0.25, build.Ratio);
        Assert.Equal(Executor.RampingVus, build.Mode);
        Assert.Equal(["auth", "project"], build.Services);
        Assert.Equal([80, 443], build.Ports);
        Assert.Equal(Path.Combine(_root.Path, "out"), build.ResultsDir!.Value);
        Assert.Equal(3, build.Optional);
        Assert.Equal("n", build.Name);
        Assert.Equal("l", build.Label);
        Assert.Equal(TimeSpan.FromMinutes(5), Bind("--duration 00:05:00").Duration);
    }

    [Theory]
    [InlineData("Vus")]
    [InlineData("VUS")]
    [InlineData("NUKE_VUS")]
    [InlineData("nuke_vus")]
    [InlineData("LOAD_TEST_VUS")]
    public void Environment_variables_bind_by_exact_name_by_letters_and_digits_with_or_without_NUKE_and_by_extra_names(string variable) =>
        Assert.Equal(7, Bind("", new Dictionary<string, string> { [variable] = "7" }).Vus);

    [Fact]
    public void An_underscored_variable_binds_a_PascalCase_parameter() =>
        Assert.Equal(Path.Combine(_root.Path, "r"), Bind("", new Dictionary<string, string> { ["RESULTS_DIR"] = "r" }).ResultsDir!.Value);

    [Fact]
    public void The_guides_duration_variable_takes_k6_durations() =>
        Assert.Equal(TimeSpan.FromSeconds(120), Bind("", new Dictionary<string, string> { ["LOAD_TEST_DURATION"] = "120s" }).Duration);

    [Fact]
    public void Ambiguous_environment_variables_are_ignored_with_a_warning()
    {
        var build = new Parameters();
        var result = _root.Run(build, "Noop", new Dictionary<string, string> { ["VUS"] = "1", ["NUKE_VUS"] = "2" });
        Assert.Equal(50, build.Vus);
        Assert.Contains("matches several environment variables with different values", result.Output);
    }

    [Fact]
    public void Precedence_is_command_line_then_environment_then_profiles_last_first_then_parameters_json_then_default()
    {
        _root.Write(".nuke/parameters.json", """{ "$schema": "./build.schema.json", "Vus": 1, "Ratio": 0.1, "Name": "file", "Label": "file", "Optional": 1 }""");
        _root.Write(".nuke/parameters.ci.json", """{ "vus": 2, "ratio": 0.2, "name": "ci", "label": "ci" }""");
        _root.Write(".nuke/parameters.fast.json", """{ "Vus": 3, "Ratio": 0.3, "Name": "fast" }""");
        var environment = new Dictionary<string, string> { ["VUS"] = "4", ["RATIO"] = "0.4" };

        var build = Bind("--profile ci fast --vus 5", environment);
        Assert.Equal(5, build.Vus);          // command line
        Assert.Equal(0.4, build.Ratio);      // environment
        Assert.Equal("fast", build.Name);    // the later profile
        Assert.Equal("ci", build.Label);     // the earlier profile beats parameters.json
        Assert.Equal(1, build.Optional);     // parameters.json
        Assert.Equal(TimeSpan.FromSeconds(300), build.Duration); // default
    }

    [Fact]
    public void A_value_that_does_not_convert_names_the_parameter_the_value_and_the_type()
    {
        var result = _root.Run(new Parameters(), "Noop --vus ten --mode fast", new Dictionary<string, string> { ["LOAD_TEST_DURATION"] = "5 minutes" });
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Invalid value 'ten' for parameter '--vus' (from the command line): expected an integer.", result.Output);
        Assert.Contains("Invalid value 'fast' for parameter '--mode' (from the command line): expected one of constant-vus, ramping-vus.", result.Output);
        Assert.Contains("Invalid value '5 minutes' for parameter '--duration' (from environment variable LOAD_TEST_DURATION): expected a duration", result.Output);
    }

    [Fact]
    public void A_bad_value_in_a_parameters_file_names_the_file()
    {
        _root.Write(".nuke/parameters.json", """{ "Vus": "many" }""");
        var result = _root.Run(new Parameters(), "Noop");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Invalid value 'many' for parameter '--vus' (from .nuke/parameters.json): expected an integer.", result.Output);
    }

    [Fact]
    public void An_unknown_key_in_a_parameters_file_is_an_error_with_a_suggestion_as_on_the_command_line()
    {
        _root.Write(".nuke/parameters.json", """{ "$schema": "./build.schema.json", "Vsu": 20 }""");
        var result = _root.Run(new Parameters(), "Noop");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(".nuke/parameters.json: 'Vsu' is not a parameter of this build. Did you mean 'Vus'?", result.Output);
    }

    [Fact]
    public void An_unknown_argument_is_an_error_with_a_suggestion()
    {
        var result = _root.Run(new Parameters(), "Noop --vsu 3");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Unknown argument '--vsu'. Did you mean '--vus'?", result.Output);
    }

    [Fact]
    public void A_missing_profile_file_is_an_error()
    {
        var result = _root.Run(new Parameters(), "Noop --profile nightly");
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Profile file '.nuke/parameters.nightly.json' does not exist", result.Output);
    }

    [Fact]
    public void The_schema_is_written_from_the_declared_parameters()
    {
        _root.Run(new Parameters(), "Noop");
        var schema = File.ReadAllText(Path.Combine(_root.Path, ".nuke", "build.schema.json"));
        Assert.Contains("\"Vus\": {\n      \"type\": \"integer\",\n      \"description\": \"Virtual users\"", schema.Replace("\r", ""));
        Assert.Contains("\"enum\": [\n        \"constant-vus\",\n        \"ramping-vus\"\n      ]", schema.Replace("\r", ""));
        Assert.Contains("\"additionalProperties\": false", schema);
    }

    [Fact]
    public void The_root_is_the_nearest_folder_with_a_nuke_directory_or_root()
    {
        var nested = Directory.CreateDirectory(Path.Combine(_root.Path, "a", "b")).FullName;
        var build = new Parameters();
        var output = new StringWriter();
        BuildRunner.Run(build, new BuildInvocation(["Noop", "--no-logo"], new Dictionary<string, string>(), nested, output,
            new Zoptal.Perf.Core.Secrets.SecretMasker(), default), []);
        Assert.Equal(_root.Path, build.RootDirectory.Value);

        var here = new Parameters();
        BuildRunner.Run(here, new BuildInvocation(["Noop", "--no-logo", "--root"], new Dictionary<string, string>(), nested, new StringWriter(),
            new Zoptal.Perf.Core.Secrets.SecretMasker(), default), []);
        Assert.Equal(nested, here.RootDirectory.Value);

        var missing = _root.Run(new Parameters(), "Noop --root /does/not/exist");
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("'--root': the directory does not exist", missing.Output);
    }
}

public sealed class AbsolutePathTests
{
    [Theory]
    [InlineData("/repo/perf-config.yml", "perf-config.yml")]
    [InlineData("/repo/sub/x.yml", "sub/x.yml")]
    [InlineData("/repository/x.yml", "/repository/x.yml")]
    [InlineData("/tmp/x.yml", "/tmp/x.yml")]
    public void Paths_inside_the_root_show_relative_and_others_in_full(string path, string shown) =>
        Assert.Equal(shown, AbsolutePath.Create(path).ToDisplayString(AbsolutePath.Create("/repo")));

    [Fact]
    public void Slash_joins_segments() =>
        Assert.Equal("/repo/.nuke/temp", (AbsolutePath.Create("/repo") / ".nuke" / "temp").Value);
}
