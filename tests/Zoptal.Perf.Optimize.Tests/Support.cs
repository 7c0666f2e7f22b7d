using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize.Patching;
using Zoptal.Perf.Optimize.Targets;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>What the rule tests share: targets, a file's edits applied, temporary repositories.</summary>
internal static class Support
{
    public static Target Target(double? cpus = null, double? memoryGb = null, double? postgres = null, PostgresProfile profile = PostgresProfile.Web, StorageKind storage = StorageKind.Ssd) =>
        Targets.Target.Unknown(new OptimizeConfig()).Or(new PartialTarget(
            cpus is { } c ? new(c, "test") : null,
            memoryGb is { } m ? new((long)(m * 1024 * 1024 * 1024), "test") : null,
            postgres is { } v ? new(v, "test") : null,
            new(profile, "test"),
            new(storage, "test")));

    /// <summary>The text with every finding's edits applied (edits several findings share counted once).</summary>
    public static string Patched(string text, IEnumerable<Finding> findings) => TextEdits.Apply(text, findings.SelectMany(f => f.Edits).Distinct());

    /// <summary>A temporary folder with files (relative path → text); deleted on dispose.</summary>
    public sealed class Repository : IDisposable
    {
        public Repository(params (string Path, string Text)[] files)
        {
            Root = Directory.CreateTempSubdirectory("zoptal-opt-").FullName;
            foreach (var (path, text) in files)
                Write(path, text);
        }

        public string Root { get; }

        public string Write(string path, string text)
        {
            var full = Path.Combine(Root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
            return full;
        }

        public string Read(string path) => File.ReadAllText(Path.Combine(Root, path));

        public OptimizeOutcome Optimize(bool apply = false, OptimizeConfig? config = null, params Area[] areas) => OptimizeSession.Run(
            new OptimizeRequest(Root, config ?? new OptimizeConfig { Include = ["**/*"] }, Path.Combine(Root, "performance-results"), new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero))
            {
                Apply = apply,
                Areas = areas.Length == 0 ? Enum.GetValues<Area>().ToHashSet() : areas.ToHashSet(),
            });

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
