using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.IO;

namespace Zoptal.Perf.Optimize.Patching;

/// <summary>
/// Writes patches safely: only inside the repository (every path component's symlinks resolved), only over the text
/// the patch was made from, each original saved first under <c>.nuke/temp/optimize-backups/&lt;timestamp&gt;/</c>
/// (byte for byte, with its mode), and each file replaced by a rename, so no file is ever half-written. The new
/// bytes keep the file's encoding, byte order mark, line endings and permissions: only the edited text differs.
/// </summary>
public static class PatchWriter
{
    /// <summary>The absolute path a repository-relative path names, after resolving links; refuses anything outside the root.</summary>
    public static string Resolve(string root, string relativePath)
    {
        var realRoot = RealPath(Path.GetFullPath(root));
        var candidate = Path.GetFullPath(Path.Combine(realRoot, relativePath));
        var real = RealPath(candidate);
        if (!IsInside(realRoot, real))
            throw new InvalidParameterException($"Optimize refuses to write {relativePath}: it resolves to {real}, outside the repository {realRoot}.");
        return real;
    }

    /// <summary>Writes every patch; returns the backup folder (null when nothing was written).</summary>
    public static string? Apply(string root, IEnumerable<FilePatch> patches, DateTimeOffset now)
    {
        var list = patches.DistinctBy(p => p.RelativePath).ToList();
        // Check everything before writing anything: a refused or stale patch stops the whole apply.
        var targets = list.Select(p => (Patch: p, Path: Resolve(root, p.RelativePath))).ToList();
        foreach (var (patch, path) in targets)
        {
            var current = File.Exists(path) ? Files.TextFormat.Decode(File.ReadAllBytes(path)).Text : "";
            if (current != patch.Original)
                throw new RunFailedException($"{patch.RelativePath} changed since Optimize read it; run Optimize again.");
        }

        if (targets.Count == 0)
            return null;
        var backups = Path.Combine(root, ".nuke", "temp", "optimize-backups", now.UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (patch, path) in targets)
        {
            UnixFileMode? mode = null;
            if (File.Exists(path))
            {
                var backup = Path.Combine(backups, patch.RelativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(backup)!);
                File.Copy(path, backup, overwrite: true);
                if (!OperatingSystem.IsWindows())
                {
                    mode = File.GetUnixFileMode(path);
                    File.SetUnixFileMode(backup, mode.Value);
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllBytes(path, patch.Format.Encode(patch.Updated), mode);
        }

        return backups;
    }

    private static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    // realpath(3) for paths that may not exist yet: resolve the longest existing prefix, component by component.
    private static string RealPath(string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.GetPathRoot(path)!;
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true)!.FullName;
                next = RealPath(target);
            }
            else if (!info.Exists)
            {
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }

            current = next;
        }

        return current;
    }
}
