using System.Text;
using System.Text.RegularExpressions;

namespace Zoptal.Perf.Optimize;

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
    public static IReadOnlyList<string> Find(string root, IEnumerable<string> include, IEnumerable<string> exclude)
    {
        var includes = include.Select(ToRegex).ToList();
        var excludes = exclude.Select(ToRegex).ToList();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        return [.. Directory.EnumerateFiles(root, "*", options)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            // Never inputs, whatever the globs say: git's objects, dependencies, and Optimize's own backups.
            .Where(f => !f.StartsWith(".git/", StringComparison.Ordinal) && !f.StartsWith(".nuke/", StringComparison.Ordinal)
                        && !f.Contains("/node_modules/", StringComparison.Ordinal) && !f.StartsWith("node_modules/", StringComparison.Ordinal))
            .Where(f => includes.Any(r => r.IsMatch(f)) && !excludes.Any(r => r.IsMatch(f)))
            .Order(StringComparer.Ordinal)];
    }
}
