using Zoptal.SamplePlatform;

namespace Zoptal.Perf.Testing;

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
    public static string RepositoryRoot() => RepositoryPaths.Root();
}
