using System.Text;
using System.Text.RegularExpressions;

namespace Zoptal.Perf.Optimize;

/// <summary>
/// What the globs found: the regular files, the includes that matched nothing, the links not followed, and the
/// folders that could not be listed (with the reason), so nothing is skipped unsaid.
/// </summary>
public sealed record Discovery(IReadOnlyList<string> Files, IReadOnlyList<string> EmptyIncludes, IReadOnlyList<string> Links, IReadOnlyList<(string Folder, string Reason)> Unreadable);

/// <summary>Globs as the config writes them: <c>**</c> any folders, <c>*</c> and <c>?</c> within a name, <c>{a,b}</c> alternatives.</summary>
public static class Glob
{
    /// <summary>The regular expression for a glob over '/'-separated relative paths.</summary>
    public static Regex ToRegex(string glob)
    {
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slash = i + 2 < glob.Length && glob[i + 2] == '/';
                pattern.Append(slash ? "(?:.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                pattern.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    '{' => "(?:",
                    '}' => ")",
                    ',' => "|",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>Files under <paramref name="root"/> matching an include and no exclude, as sorted '/'-separated relative paths.</summary>
    public static IReadOnlyList<string> Find(string root, IEnumerable<string> include, IEnumerable<string> exclude) => Discover(root, [.. include], exclude).Files;

    /// <summary>
    /// The regular files matching an include and no exclude; the includes that matched nothing; and the symbolic
    /// links the globs match (files, or folders that could hold matches), which are never followed.
    /// </summary>
    public static Discovery Discover(string root, IReadOnlyList<string> include, IEnumerable<string> exclude)
    {
        var includes = include.Select(g => (Glob: g, Regex: ToRegex(g))).ToList();
        var excludes = exclude.Select(ToRegex).ToList();
        var files = new List<string>();
        var links = new List<string>();
        var matched = new HashSet<string>(StringComparer.Ordinal);
        bool Included(string path, bool record)
        {
            if (excludes.Any(r => r.IsMatch(path)))
                return false;
            var hits = includes.Where(i => i.Regex.IsMatch(path)).ToList();
            if (record)
                matched.UnionWith(hits.Select(h => h.Glob));
            return hits.Count > 0;
        }

        var unreadable = new List<(string Folder, string Reason)>();
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var folder))
        {
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { IgnoreInaccessible = false, AttributesToSkip = 0 }).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unreadable.Add((Path.GetRelativePath(root, folder).Replace('\\', '/') + "/", e.Message));
                continue;
            }

            foreach (var entry in entries)
            {
                var relative = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
                // Never inputs, whatever the globs say: git's objects, dependencies, and Optimize's own backups.
                if (relative is ".git" or ".nuke" or "node_modules" || relative.EndsWith("/node_modules", StringComparison.Ordinal))
                    continue;
                if (entry.LinkTarget is not null)
                {
                    var folderLink = entry is DirectoryInfo;
                    if (folderLink ? includes.Any(i => i.Regex.IsMatch(relative + "/Dockerfile") || i.Regex.IsMatch(relative + "/docker-compose.yml") || i.Regex.IsMatch(relative + "/postgresql.conf"))
                        : Included(relative, record: false))
                        links.Add(relative + (folderLink ? "/" : ""));
                    continue;
                }

                if (entry is DirectoryInfo)
                    pending.Push(entry.FullName);
                else if (Included(relative, record: true))
                    files.Add(relative);
            }
        }

        files.Sort(StringComparer.Ordinal);
        links.Sort(StringComparer.Ordinal);
        return new Discovery(files, [.. includes.Select(i => i.Glob).Where(g => !matched.Contains(g))], links, unreadable);
    }
}
