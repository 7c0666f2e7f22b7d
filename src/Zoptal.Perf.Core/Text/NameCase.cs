using System.Text;

namespace Zoptal.Perf.Core.Text;

/// <summary>
/// Name matching as Nuke does it: case-insensitive, dashes and underscores ignored; names shown in kebab-case.
/// Used for targets, parameters, and enum values in perf-config.yml alike.
/// </summary>
public static class NameCase
{
    /// <summary>Lower-case letters and digits only: <c>--Load-Test</c>, <c>LOAD_TEST</c> and <c>LoadTest</c> all give <c>loadtest</c>.</summary>
    public static string Normalize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c))
                builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary><c>ResultsDir</c> becomes <c>results-dir</c>.</summary>
    public static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                builder.Append('-');
            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
