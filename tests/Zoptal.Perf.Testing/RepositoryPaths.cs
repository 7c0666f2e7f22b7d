namespace Zoptal.Perf.Testing;

/// <summary>Where the repository the tests were built from is.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root (where Zoptal.Perf.sln is).</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zoptal.Perf.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("Zoptal.Perf.sln not found above " + AppContext.BaseDirectory);
    }
}
