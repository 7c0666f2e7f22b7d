using System.Text.RegularExpressions;

namespace Zoptal.Perf.Optimize.Postgres;

/// <summary>A <c>name = value</c> line of a postgresql.conf (or an include directive): where its value is, to edit just that.</summary>
public sealed record ConfEntry(string File, int Line, string Name, string Value, int ValueStart, int ValueEnd)
{
    public bool IsInclude => Name.Equals("include", StringComparison.OrdinalIgnoreCase) || Name.Equals("include_if_exists", StringComparison.OrdinalIgnoreCase)
        || Name.Equals("include_dir", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value without its quotes ('' and \' unescaped).</summary>
    public string Unquoted => Value.Length >= 2 && Value[0] == '\'' && Value[^1] == '\'' ? Value[1..^1].Replace("''", "'", StringComparison.Ordinal).Replace("\\'", "'", StringComparison.Ordinal) : Value;
}

/// <summary>
/// A postgresql.conf read as the server reads it (guc-file.l): settings (<c>name = value</c>, the <c>=</c> optional,
/// values quoted or bare, <c>#</c> comments), the include directives (<c>include</c>, <c>include_if_exists</c>,
/// <c>include_dir</c>) in their places, and the commented defaults of the stock file (<c>#work_mem = 4MB</c>).
/// The last occurrence of a setting wins, also across included files.
/// </summary>
public sealed partial class PostgresConf
{
    private PostgresConf(string file, string text, List<ConfEntry> entries, List<(string Name, int Line, int End)> commented, List<int> lineStarts)
    {
        File = file;
        Text = text;
        Entries = entries;
        Commented = commented;
        LineStarts = lineStarts;
    }

    public string File { get; }

    public string Text { get; }

    /// <summary>Settings and include directives, in file order.</summary>
    public IReadOnlyList<ConfEntry> Entries { get; }

    /// <summary>Commented settings (<c>#work_mem = 4MB</c>): their name, line, and the offset after the line.</summary>
    public IReadOnlyList<(string Name, int Line, int End)> Commented { get; }

    private IReadOnlyList<int> LineStarts { get; }

    public static PostgresConf Parse(string file, string text)
    {
        var entries = new List<ConfEntry>();
        var commented = new List<(string, int, int)>();
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
                starts.Add(i + 1);
        }

        for (var line = 0; line < starts.Count; line++)
        {
            var start = starts[line];
            var end = line + 1 < starts.Count ? starts[line + 1] : text.Length;
            var content = text[start..end].TrimEnd('\n', '\r');
            var match = Setting().Match(content);
            if (match.Success)
            {
                var value = match.Groups["value"];
                entries.Add(new ConfEntry(file, line + 1, match.Groups["name"].Value, value.Value, start + value.Index, start + value.Index + value.Length));
            }
            else if (CommentedSetting().Match(content) is { Success: true } c)
            {
                commented.Add((c.Groups["name"].Value, line + 1, end));
            }
        }

        return new PostgresConf(file, text, entries, commented, starts);
    }

    /// <summary>The line break the file uses.</summary>
    public string NewLine => Files.TextFormat.NewLine(Text);

    /// <summary>The last occurrence of a setting in this file, or null.</summary>
    public ConfEntry? Last(string name) => Entries.LastOrDefault(e => !e.IsInclude && e.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The include directives after a line.</summary>
    public IEnumerable<ConfEntry> IncludesAfter(int line) => Entries.Where(e => e.IsInclude && e.Line > line);

    /// <summary>A value as postgresql.conf needs it: bare when it is a plain word or number, else single-quoted.</summary>
    public static string Quote(string value) => PlainValue().IsMatch(value) ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    // name [=] value [# comment]; a value is a quoted string or a run of characters up to blanks or #.
    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_$.]*)\s*(?:=\s*|\s+)(?<value>'(?:[^'\\]|''|\\.)*'|[^\s#']+)\s*(?:#.*)?$")]
    private static partial Regex Setting();

    [GeneratedRegex(@"^\s*#\s*(?<name>[a-z_][a-z0-9_]*)\s*=")]
    private static partial Regex CommentedSetting();

    [GeneratedRegex(@"^(-?[0-9]+(\.[0-9]+)?[A-Za-z]*|[A-Za-z_][A-Za-z0-9_]*)$")]
    private static partial Regex PlainValue();
}
