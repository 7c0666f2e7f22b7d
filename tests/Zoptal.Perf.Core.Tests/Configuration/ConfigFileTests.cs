using System.Text;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Perf.Core.Tests.Configuration;

/// <summary>The file itself before its YAML: what is not a readable UTF-8 file of sane size is named with where and why, exit code 2.</summary>
public sealed class ConfigFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("zoptal-config-file-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ConfigurationException Refused(string path) =>
        Assert.Throws<ConfigurationException>(() => PerfConfigLoader.Load(path, new Dictionary<string, string>(), new SecretMasker(), "perf-config.yml"));

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_folder_a_missing_file_and_a_symbolic_link_loop_are_named_as_such()
    {
        Assert.Equal("perf-config.yml:1:1: this is a folder, not a file (hint: name the configuration file itself with --config)", Refused(_folder).Errors.Single().ToString());
        Assert.Contains("the file does not exist", Refused(Path.Combine(_folder, "missing.yml")).Message);
        File.CreateSymbolicLink(Path.Combine(_folder, "a.yml"), "b.yml");
        File.CreateSymbolicLink(Path.Combine(_folder, "b.yml"), "a.yml");
        var loop = Refused(Path.Combine(_folder, "a.yml")).Errors.Single();
        Assert.StartsWith("the file cannot be read:", loop.Message);
        Assert.Contains("a symbolic link that points at itself", loop.Hint);
    }

    [Fact]
    public void Invalid_UTF8_is_named_with_its_byte_offset_line_and_column()
    {
        var path = Write("latin1.yml", [.. Encoding.ASCII.GetBytes("services:\n  - name: caf"), 0xE9, .. Encoding.ASCII.GetBytes("\n    baseUrl: embedded\n")]);
        var error = Refused(path).Errors.Single();
        Assert.Equal((2, 14), (error.Line, error.Column));
        Assert.Equal("not UTF-8: the byte at offset 23 (0xE9) is not valid UTF-8", error.Message);
    }

    [Fact]
    public void A_byte_order_mark_is_fine()
    {
        var path = Write("bom.yml", [0xEF, 0xBB, 0xBF, .. Encoding.ASCII.GetBytes("services: [{ name: auth, baseUrl: embedded }]\n")]);
        Assert.Single(PerfConfigLoader.Load(path, new Dictionary<string, string>(), new SecretMasker()).Services);
    }

    [Fact]
    public void A_file_over_a_megabyte_is_refused_and_thousands_of_errors_are_counted_not_all_printed()
    {
        var huge = Write("huge.yml", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 60_000).Select(i => $"unknown{i}: {i}\n"))));
        Assert.Matches(@"^the file is 1\.\d MB; a configuration over 1 MB is refused$", Refused(huge).Errors.Single().Message);

        var many = Write("many.yml", Encoding.ASCII.GetBytes("services: [{ name: auth, baseUrl: embedded }]\n" + string.Concat(Enumerable.Range(0, 5_000).Select(i => $"unknown{i}: {i}\n"))));
        var error = Refused(many);
        Assert.Equal(5_000, error.Errors.Count);
        Assert.Equal(ConfigurationException.Shown + 2, error.Message.Split('\n').Length); // the count, 20 errors, "and 4,980 more"
        Assert.EndsWith("and 4,980 more", error.Message.TrimEnd());
    }

    [Fact]
    public void A_tab_is_reported_where_it_is()
    {
        var error = Refused(Write("tab.yml", Encoding.ASCII.GetBytes("services:\n  - name: auth\n\tbaseUrl: embedded\n"))).Errors.Single();
        Assert.Equal("perf-config.yml:3:1: YAML syntax: a tab character; YAML indents with spaces only (hint: replace the tab with spaces)", error.ToString());
    }

    [Fact]
    public void Merge_keys_and_x_extension_keys_share_settings_between_services()
    {
        var config = PerfConfigLoader.Parse("""
            x-service: &service
              baseUrl: http://127.0.0.1:3001
              health: /healthz
            services:
              - name: auth
                <<: *service
              - name: billing
                <<: *service
                health: /ready
            """, "perf-config.yml", new Dictionary<string, string>(), new SecretMasker());
        Assert.Equal([("auth", "/healthz"), ("billing", "/ready")], config.Services.Select(s => (s.Name, s.HealthPath)));
        Assert.All(config.Services, s => Assert.Equal(new Uri("http://127.0.0.1:3001"), s.BaseUrl));
    }

    [Fact]
    public void A_percentage_with_a_space_before_the_sign_is_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => PerfConfigLoader.Parse("""
            services: [{ name: auth, baseUrl: embedded }]
            thresholds:
              errorRate: { warning: "5 %", critical: 10% }
            """, "perf-config.yml", new Dictionary<string, string>(), new SecretMasker())).Errors.Single();
        Assert.Equal("'5 %' is not a percentage", error.Message);
    }

    [Fact]
    public void The_results_folder_is_relative_to_the_config_file()
    {
        var path = Write("perf-config.yml", Encoding.ASCII.GetBytes("services: [{ name: auth, baseUrl: embedded }]\nresults: { directory: out/results }\n"));
        var config = PerfConfigLoader.Load(path, new Dictionary<string, string>(), new SecretMasker());
        Assert.Equal(Path.Combine(_folder, "out", "results"), config.ResultsRoot);
        var absolute = PerfConfigLoader.Parse("services: [{ name: auth, baseUrl: embedded }]\nresults: { directory: /var/tmp/perf }\n", "x.yml", new Dictionary<string, string>(), new SecretMasker(), path);
        Assert.Equal("/var/tmp/perf", absolute.ResultsRoot);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    [InlineData(2_000_000_000)]
    public void VUs_from_the_command_line_or_the_environment_have_the_files_bounds(int vus)
    {
        var config = PerfConfigLoader.Parse("services: [{ name: auth, baseUrl: embedded }]\n", "perf-config.yml", new Dictionary<string, string>(), new SecretMasker());
        var vusError = Assert.Throws<InvalidParameterException>(() => EffectiveSettings.Resolve(config, new LoadOverrides(Vus: vus)));
        Assert.Contains("for parameter '--vus' (LOAD_TEST_VUS): expected 1 to 100,000 virtual users", vusError.Message);
        Assert.Equal(ExitCodes.Usage, vusError.ExitCode);
        Assert.Throws<InvalidParameterException>(() => EffectiveSettings.Resolve(config, new LoadOverrides(StressVus: vus)));
    }
}
