using Zoptal.SamplePlatform;

namespace Zoptal.Perf.Runs.Tests;

/// <summary>The sample platform in the tests' own process, on loopback ports.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private global::Zoptal.SamplePlatform.Platform? _platform;

    public IReadOnlyDictionary<string, Uri> Urls { get; private set; } = new Dictionary<string, Uri>();

    public async Task InitializeAsync()
    {
        _platform = await global::Zoptal.SamplePlatform.Platform.StartAsync(new PlatformOptions { KdfIterations = 2_000 });
        Urls = _platform.Urls.ToDictionary(u => u.Service, u => u.Url);
    }

    public async Task DisposeAsync()
    {
        if (_platform is not null)
            await _platform.DisposeAsync();
    }

    /// <summary>The repository root (where Zoptal.Perf.sln is).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zoptal.Perf.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Zoptal.Perf.sln not found above " + AppContext.BaseDirectory);
    }
}
