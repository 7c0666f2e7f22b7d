using System.Text.RegularExpressions;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>
/// A postgresql.conf as lines: the active value of each setting (the last uncommented line wins, as PostgreSQL reads
/// it), and edits that change only the value on that line, or add a line under a commented default or at the end,
/// keeping every other line and comment as it was.
/// </summary>
public sealed partial class PostgresConf
{
    private readonly List<string> _lines;
    private readonly string _newline;

    public PostgresConf(string text)
    {
        _newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        _lines = [.. text.Split('\n').Select(l => l.TrimEnd('\r'))];
    }

    /// <summary>The active value of a setting and its 1-based line, or null.</summary>
    public (string Value, int Line)? Get(string name)
    {
        for (var i = _lines.Count - 1; i >= 0; i--)
        {
            var match = Setting().Match(_lines[i]);
            if (match.Success && match.Groups["name"].Value.Equals(name, StringComparison.OrdinalIgnoreCase))
                return (match.Groups["value"].Value.Trim().Trim('\''), i + 1);
        }

        return null;
    }

    /// <summary>Sets a value: on its active line; else after its commented default; else at the end.</summary>
    public void Set(string name, string value)
    {
        var quoted = Regex.IsMatch(value, "^[A-Za-z0-9._-]+$") ? value : $"'{value}'";
        if (Get(name) is { } active)
        {
            var index = active.Line - 1;
            var match = Setting().Match(_lines[index]);
            var group = match.Groups["value"];
            _lines[index] = _lines[index][..group.Index] + quoted + _lines[index][(group.Index + group.Length)..];
            return;
        }

        var line = $"{name} = {quoted}\t\t# Zoptal.Perf Optimize";
        for (var i = 0; i < _lines.Count; i++)
        {
            var commented = Commented().Match(_lines[i]);
            if (commented.Success && commented.Groups["name"].Value.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                _lines.Insert(i + 1, line);
                return;
            }
        }

        if (_lines.Count > 0 && _lines[^1].Length == 0)
            _lines.Insert(_lines.Count - 1, line);
        else
            _lines.Add(line);
    }

    public override string ToString() => string.Join(_newline, _lines);

    [GeneratedRegex(@"^\s*(?<name>[a-z_][a-z0-9_.]*)\s*=?\s*(?<value>'[^']*'|[^\s#]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Setting();

    [GeneratedRegex(@"^\s*#\s*(?<name>[a-z_][a-z0-9_.]*)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex Commented();
}
