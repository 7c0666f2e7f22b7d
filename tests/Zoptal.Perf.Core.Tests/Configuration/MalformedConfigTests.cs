using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Perf.Core.Tests.Configuration;

/// <summary>
/// Each file under Malformed/ states in its '# expect: LINE:COLUMN message' lines every error it must produce,
/// in order; the loader must report exactly those, all at once, and exit code 2.
/// </summary>
public sealed class MalformedConfigTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Configuration", "Malformed");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.yml").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void There_are_at_least_fifteen_malformed_files() => Assert.True(Files().Count >= 15);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_error_is_reported_with_its_line_column_and_hint(string file)
    {
        var path = Path.Combine(Folder, file);
        var expected = File.ReadLines(path)
            .Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal))
            .Select(l => l["# expect: ".Length..])
            .ToList();
        Assert.NotEmpty(expected);

        var exception = Assert.Throws<ConfigurationException>(() =>
            PerfConfigLoader.Load(path, new Dictionary<string, string>(), new SecretMasker(), displayPath: file));
        var actual = exception.Errors.Select(e => e.ToString()[(file.Length + 1)..]).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(ExitCodes.Usage, exception.ExitCode);
        Assert.All(exception.Errors, e => Assert.Equal(file, e.File));
    }
}
