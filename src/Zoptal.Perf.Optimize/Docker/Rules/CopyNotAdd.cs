using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>hadolint DL3020: ADD of local files or folders (ADD extracts tar archives and fetches URLs; for anything else COPY says what happens).</summary>
public sealed class CopyNotAdd : IDockerfileRule
{
    private static readonly string[] Archives = [".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz", ".xz"];

    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        foreach (var add in context.File.Instructions.Where(i => i.Keyword == "ADD"))
        {
            var words = add.ExecForm ?? add.Body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var sources = words.Take(Math.Max(0, words.Count - 1)).Where(w => !w.StartsWith("<<", StringComparison.Ordinal)).Select(DockerfileContext.DropQuotes).ToList();
            var local = sources.Where(s => !Archives.Any(a => s.EndsWith(a, StringComparison.Ordinal)) && !s.StartsWith("http://", StringComparison.Ordinal) && !s.StartsWith("https://", StringComparison.Ordinal)).ToList();
            if (local.Count > 0)
            {
                yield return context.Finding("DL3020", Severity.Warning, add.Line, "ADD for local files",
                    $"ADD {add.Body}: {string.Join(", ", local)} is neither a tar archive nor a URL; ADD's extra behaviour (extracting, fetching) surprises readers",
                    "COPY for files and folders; ADD only to extract a local tar or fetch a URL");
            }
        }
    }
}
