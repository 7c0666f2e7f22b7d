using System.Text;

namespace Zoptal.Perf.Optimize.Docker;

/// <summary>
/// A word of a shell command: its value with quotes removed and expansions written as <c>${NAME}</c> (hadolint's
/// simplification), and its span in the script.
/// </summary>
public sealed record ShellWord(string Value, int Start, int End);

/// <summary>
/// A simple command (<c>npm ci --omit=dev</c>): its name and arguments, leading assignments, redirections and
/// reserved words removed. Flags follow hadolint's reading: <c>--name=value</c> is the flag <c>name</c>,
/// <c>-abc</c> the flags <c>a</c>, <c>b</c>, <c>c</c>.
/// </summary>
public sealed record ShellCommand(ShellWord NameWord, IReadOnlyList<ShellWord> Arguments)
{
    public string Name => NameWord.Value;

    /// <summary>The flags, each with the index of the argument it came from.</summary>
    public IEnumerable<(string Flag, int Index)> Flags() => Arguments.SelectMany((a, i) => a.Value switch
    {
        "-" or "--" => [],
        var v when v.StartsWith("--", StringComparison.Ordinal) => [(v[2..].Split('=')[0], i)],
        var v when v.StartsWith('-') => v[1..].Select(c => (c.ToString(), i)),
        _ => Enumerable.Empty<(string, int)>(),
    });

    public bool HasFlag(string flag) => Flags().Any(f => f.Flag == flag);

    /// <summary>The arguments that are not flags, without the values of <paramref name="valueFlags"/> given as the next word.</summary>
    public IReadOnlyList<ShellWord> ArgsNoFlags(params string[] valueFlags)
    {
        var flagIndexes = Flags().Select(f => f.Index).ToHashSet();
        var dropped = Flags().Where(f => valueFlags.Contains(f.Flag) && !Arguments[f.Index].Value.Contains('=', StringComparison.Ordinal))
            .Select(f => f.Index + 1).ToHashSet();
        return [.. Arguments.Where((_, i) => !flagIndexes.Contains(i) && !dropped.Contains(i))];
    }
}

/// <summary>
/// A POSIX shell script read far enough for the rules: its simple commands (also inside <c>$( )</c>, back quotes,
/// subshells, <c>if</c>/<c>while</c> bodies), and whether it has a pipe. Quotes, escapes, comments, redirections and
/// here-documents are understood; it does not evaluate anything.
/// </summary>
public sealed class ShellScript
{
    private static readonly HashSet<string> Reserved = ["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "[[", "]]"];
    private readonly string _text;
    private readonly List<ShellCommand> _commands = [];
    private readonly List<(string Name, bool Strip)> _pendingHeredocs = [];
    private int _i;

    private ShellScript(string text) => _text = text;

    /// <summary>The script's simple commands in order.</summary>
    public IReadOnlyList<ShellCommand> Commands => _commands;

    /// <summary>True when some pipeline has more than one command (<c>a | b</c>).</summary>
    public bool HasPipe { get; private set; }

    public static ShellScript Parse(string text)
    {
        var script = new ShellScript(text);
        script.ParseList(stopAtParen: false);
        return script;
    }

    private void ParseList(bool stopAtParen)
    {
        var words = new List<ShellWord>();
        var skipNext = false; // the word after a redirection is its target
        string? heredocStrip = null;
        var depth = 0;
        while (_i < _text.Length)
        {
            var c = _text[_i];
            if (c is ' ' or '\t' or '\r')
            {
                _i++;
                continue;
            }

            if (c == '\\' && _i + 1 < _text.Length && _text[_i + 1] == '\n')
            {
                _i += 2;
                continue;
            }

            if (c == '#')
            {
                while (_i < _text.Length && _text[_i] != '\n')
                    _i++;
                continue;
            }

            if (c == '\n')
            {
                End(words);
                _i++;
                SkipHeredocBodies();
                continue;
            }

            if (c is ';' or '&' or '|')
            {
                if (c == '&' && Peek(1) == '>')
                {
                    _i += Peek(2) == '>' ? 3 : 2;
                    skipNext = true;
                    continue;
                }

                End(words);
                var doubled = Peek(1) == c;
                if (c == '|' && !doubled)
                    HasPipe = true;
                _i += doubled || (c == '|' && Peek(1) == '&') ? 2 : 1;
                continue;
            }

            if (c == '(')
            {
                End(words);
                depth++;
                _i++;
                continue;
            }

            if (c == ')')
            {
                End(words);
                _i++;
                if (depth == 0 && stopAtParen)
                    return;
                depth = Math.Max(0, depth - 1);
                continue;
            }

            if (c is '<' or '>')
            {
                ReadRedirection(out var heredoc, out var strip);
                if (heredoc)
                    heredocStrip = strip ? "-" : "";
                else
                    skipNext = true;
                continue;
            }

            var word = ReadWord();
            if (word.Value.All(char.IsDigit) && word.Value.Length > 0 && _i < _text.Length && _text[_i] is '<' or '>' && word.End == _i)
                continue; // a file descriptor number: 2>&1
            if (heredocStrip is not null)
            {
                _pendingHeredocs.Add((word.Value, heredocStrip == "-"));
                heredocStrip = null;
                continue;
            }

            if (skipNext)
            {
                skipNext = false;
                continue;
            }

            words.Add(word);
        }

        End(words);
    }

    private char Peek(int ahead) => _i + ahead < _text.Length ? _text[_i + ahead] : '\0';

    private void ReadRedirection(out bool heredoc, out bool strip)
    {
        heredoc = false;
        strip = false;
        var c = _text[_i];
        if (c == '<' && Peek(1) == '<')
        {
            if (Peek(2) == '<')
            {
                _i += 3; // a here-string: the next word is its text
                return;
            }

            heredoc = true;
            strip = Peek(2) == '-';
            _i += strip ? 3 : 2;
            return;
        }

        _i++;
        if (_i < _text.Length && _text[_i] is '>' or '&' or '|')
            _i++;
    }

    private void SkipHeredocBodies()
    {
        foreach (var (name, strip) in _pendingHeredocs)
        {
            while (_i < _text.Length)
            {
                var end = _text.IndexOf('\n', _i);
                var line = _text[_i..(end < 0 ? _text.Length : end)].TrimEnd('\r');
                _i = end < 0 ? _text.Length : end + 1;
                if ((strip ? line.TrimStart('\t') : line) == name)
                    break;
            }
        }

        _pendingHeredocs.Clear();
    }

    private void End(List<ShellWord> words)
    {
        var k = 0;
        while (k < words.Count && (Reserved.Contains(words[k].Value) || Assignment(words[k].Value)))
            k++;
        if (k < words.Count && words[k].Value is "for" or "select" or "case" or "function")
            k = words.Count; // loop headers and case patterns are not commands
        if (k < words.Count)
            _commands.Add(new ShellCommand(words[k], [.. words.Skip(k + 1)]));
        words.Clear();
    }

    private static bool Assignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && (char.IsLetter(word[0]) || word[0] == '_') && word[..equals].All(ch => char.IsLetterOrDigit(ch) || ch == '_');
    }

    private ShellWord ReadWord()
    {
        var start = _i;
        var value = new StringBuilder();
        while (_i < _text.Length)
        {
            var c = _text[_i];
            if (c is ' ' or '\t' or '\r' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>')
                break;
            if (c == '\\')
            {
                if (_i + 1 < _text.Length && _text[_i + 1] != '\n')
                    value.Append(_text[_i + 1]);
                _i += 2;
            }
            else if (c == '\'')
            {
                var close = _text.IndexOf('\'', _i + 1);
                close = close < 0 ? _text.Length : close;
                value.Append(_text[(_i + 1)..close]);
                _i = close + 1;
            }
            else if (c == '"')
            {
                _i++;
                while (_i < _text.Length && _text[_i] != '"')
                {
                    var d = _text[_i];
                    if (d == '\\' && _i + 1 < _text.Length && _text[_i + 1] is '$' or '`' or '"' or '\\' or '\n')
                    {
                        if (_text[_i + 1] != '\n')
                            value.Append(_text[_i + 1]);
                        _i += 2;
                    }
                    else if (d == '$')
                    {
                        value.Append(ReadDollar());
                    }
                    else if (d == '`')
                    {
                        value.Append(ReadBackticks());
                    }
                    else
                    {
                        value.Append(d);
                        _i++;
                    }
                }

                _i++;
            }
            else if (c == '$')
            {
                value.Append(ReadDollar());
            }
            else if (c == '`')
            {
                value.Append(ReadBackticks());
            }
            else
            {
                value.Append(c);
                _i++;
            }
        }

        return new ShellWord(value.ToString(), start, Math.Min(_i, _text.Length));
    }

    // $NAME, ${...}, $(...), $((...)), $'...': expansions as hadolint writes them; commands inside $( ) are commands too.
    private string ReadDollar()
    {
        var next = Peek(1);
        if (next == '(' && Peek(2) == '(')
        {
            _i = Matching(_i + 1, '(', ')') + 1;
            return "${VAR}";
        }

        if (next == '(')
        {
            _i += 2;
            var inner = new ShellScript(_text) { _i = _i };
            inner.ParseList(stopAtParen: true);
            _commands.AddRange(inner._commands);
            HasPipe |= inner.HasPipe;
            _i = inner._i;
            return "${VAR}";
        }

        if (next == '{')
        {
            var close = Matching(_i + 1, '{', '}');
            var text = "${" + _text[(_i + 2)..Math.Min(close, _text.Length)] + "}";
            _i = close + 1;
            return text;
        }

        if (next == '\'')
        {
            var close = _text.IndexOf('\'', _i + 2);
            close = close < 0 ? _text.Length : close;
            var text = _text[(_i + 2)..close];
            _i = close + 1;
            return text;
        }

        if (char.IsLetter(next) || next == '_')
        {
            var end = _i + 1;
            while (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] == '_'))
                end++;
            var text = "${" + _text[(_i + 1)..end] + "}";
            _i = end;
            return text;
        }

        if (next is '?' or '#' or '@' or '*' or '$' or '!' or '-' || char.IsDigit(next))
        {
            _i += 2;
            return "$" + next;
        }

        _i++;
        return "$";
    }

    private string ReadBackticks()
    {
        var close = _i + 1;
        while (close < _text.Length && _text[close] != '`')
            close += _text[close] == '\\' ? 2 : 1;
        close = Math.Min(close, _text.Length);
        var inner = Parse(_text[(_i + 1)..close]);
        _commands.AddRange(inner._commands.Select(c => Shift(c, _i + 1)));
        HasPipe |= inner.HasPipe;
        _i = close + 1;
        return "${VAR}";
    }

    private static ShellCommand Shift(ShellCommand command, int by) =>
        new(command.NameWord with { Start = command.NameWord.Start + by, End = command.NameWord.End + by }, [.. command.Arguments.Select(a => a with { Start = a.Start + by, End = a.End + by })]);

    // The index of the bracket closing the one at `open`, quotes respected; the end of the text when unbalanced.
    private int Matching(int open, char opening, char closing)
    {
        var depth = 0;
        for (var k = open; k < _text.Length; k++)
        {
            var c = _text[k];
            if (c == '\\')
            {
                k++;
            }
            else if (c == '\'' && opening != '{')
            {
                var close = _text.IndexOf('\'', k + 1);
                k = close < 0 ? _text.Length : close;
            }
            else if (c == opening)
            {
                depth++;
            }
            else if (c == closing && --depth == 0)
            {
                return k;
            }
        }

        return _text.Length;
    }
}
