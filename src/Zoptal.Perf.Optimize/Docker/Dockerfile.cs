using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Zoptal.Perf.Optimize.Docker;

/// <summary>A Dockerfile BuildKit would refuse, or one this parser cannot follow: the line and the reason.</summary>
public sealed class DockerfileSyntaxException(int line, string message) : Exception(message)
{
    /// <summary>The 1-based line of the instruction at fault.</summary>
    public int Line { get; } = line;
}

/// <summary>A here-document of a RUN, COPY or ADD (<c>&lt;&lt;EOF</c> … <c>EOF</c>): its name, body and lines.</summary>
public sealed record Heredoc(string Name, bool Quoted, bool StripTabs, string Body, int FirstLine, int LastLine);

/// <summary>A <c>--name=value</c> flag of an instruction (<c>--from</c>, <c>--platform</c>, <c>--mount</c>, <c>--chown</c>).</summary>
public sealed record InstructionFlag(string Name, string? Value);

/// <summary>
/// One instruction as BuildKit reads it: its keyword, its arguments with line continuations joined (comment and empty
/// lines inside a continuation dropped), its here-documents, and where every character of the arguments sits in the
/// file, so an edit of the arguments becomes an edit of the file.
/// </summary>
public sealed class DockerInstruction
{
    private readonly int[] _offsets; // file offset of each character of Arguments

    internal DockerInstruction(string keyword, string arguments, int[] offsets, int line, int lastLine, int start, int end, IReadOnlyList<Heredoc> heredocs)
    {
        Keyword = keyword;
        Arguments = arguments;
        _offsets = offsets;
        Line = line;
        LastLine = lastLine;
        Start = start;
        End = end;
        Heredocs = heredocs;
        var (flags, bodyStart) = ReadFlags(arguments);
        Flags = flags;
        BodyStart = bodyStart;
        Body = arguments[bodyStart..];
        ExecForm = ReadExecForm(Body);
    }

    /// <summary>The keyword, upper case (<c>RUN</c>).</summary>
    public string Keyword { get; }

    /// <summary>Everything after the keyword, continuations joined.</summary>
    public string Arguments { get; }

    /// <summary>The 1-based line the instruction starts on.</summary>
    public int Line { get; }

    /// <summary>The last line of the instruction, here-document bodies included.</summary>
    public int LastLine { get; }

    /// <summary>The file offset of the keyword's first character.</summary>
    public int Start { get; }

    /// <summary>The file offset just after the instruction's last character (before its line break).</summary>
    public int End { get; }

    /// <summary>The here-documents, in the order their markers appear.</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; }

    /// <summary>The leading <c>--name=value</c> flags.</summary>
    public IReadOnlyList<InstructionFlag> Flags { get; }

    /// <summary>The arguments after the flags.</summary>
    public string Body { get; }

    /// <summary>Where <see cref="Body"/> starts within <see cref="Arguments"/>.</summary>
    public int BodyStart { get; }

    /// <summary>The exec (JSON) form's strings, or null for the shell form.</summary>
    public IReadOnlyList<string>? ExecForm { get; }

    /// <summary>For ONBUILD: the instruction it defers.</summary>
    public DockerInstruction? Deferred { get; internal set; }

    /// <summary>The file offset of a character of <see cref="Arguments"/> (or just after the last one).</summary>
    public int FileOffset(int argumentIndex) =>
        argumentIndex < _offsets.Length ? _offsets[argumentIndex] : _offsets.Length == 0 ? End : _offsets[^1] + 1;

    /// <summary>The file span of [start, end) of <see cref="Arguments"/>, or null when it crosses a line continuation.</summary>
    public (int Start, int End)? FileSpan(int start, int end)
    {
        if (end <= start)
            return (FileOffset(start), FileOffset(start));
        var fileStart = _offsets[start];
        var fileEnd = _offsets[end - 1] + 1;
        return fileEnd - fileStart == end - start ? (fileStart, fileEnd) : null;
    }

    /// <summary>The value of a flag, or null.</summary>
    public string? Flag(string name) => Flags.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    private static (IReadOnlyList<InstructionFlag>, int) ReadFlags(string arguments)
    {
        var flags = new List<InstructionFlag>();
        var i = 0;
        while (true)
        {
            while (i < arguments.Length && char.IsWhiteSpace(arguments[i]))
                i++;
            if (i + 2 >= arguments.Length || arguments[i] != '-' || arguments[i + 1] != '-' || !char.IsLetter(arguments[i + 2]))
                return (flags, i);
            var end = i;
            while (end < arguments.Length && !char.IsWhiteSpace(arguments[end]))
                end++;
            var flag = arguments[(i + 2)..end];
            var equals = flag.IndexOf('=', StringComparison.Ordinal);
            flags.Add(equals < 0 ? new InstructionFlag(flag, null) : new InstructionFlag(flag[..equals], flag[(equals + 1)..]));
            i = end;
        }
    }

    private static IReadOnlyList<string>? ReadExecForm(string body)
    {
        var trimmed = body.Trim();
        if (!trimmed.StartsWith('[') || !trimmed.EndsWith(']'))
            return null;
        try
        {
            using var document = JsonDocument.Parse(trimmed);
            return document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                ? [.. document.RootElement.EnumerateArray().Select(e => e.GetString()!)]
                : null;
        }
        catch (JsonException)
        {
            return null; // BuildKit runs it in the shell form
        }
    }
}

/// <summary>A build stage: its FROM, base image (with global ARG defaults substituted), name and instructions.</summary>
public sealed class DockerStage
{
    internal DockerStage(int index, DockerInstruction from, string image, string? name, DockerStage? parent, IReadOnlyList<DockerInstruction> instructions)
    {
        Index = index;
        From = from;
        Image = image;
        Name = name;
        Parent = parent;
        Instructions = instructions;
    }

    /// <summary>0-based position in the file.</summary>
    public int Index { get; }

    /// <summary>The FROM instruction.</summary>
    public DockerInstruction From { get; }

    /// <summary>The image reference as written, global ARG defaults substituted (<c>node:22-alpine</c>).</summary>
    public string Image { get; }

    /// <summary>The <c>AS</c> name, lower case, or null.</summary>
    public string? Name { get; }

    /// <summary>The earlier stage this one builds on (<c>FROM build</c>), or null for an image.</summary>
    public DockerStage? Parent { get; }

    /// <summary>The instructions after FROM, up to the next FROM.</summary>
    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The image at the root of the stage chain (the parent's, for <c>FROM build</c>).</summary>
    public ImageReference BaseImage => Parent?.BaseImage ?? ImageReference.Parse(Image);

    /// <summary>This stage and the stages it builds on, nearest first.</summary>
    public IEnumerable<DockerStage> Lineage()
    {
        for (var stage = this; stage is not null; stage = stage.Parent)
            yield return stage;
    }
}

/// <summary>An image reference split as the registry reads it: repository path, tag, digest.</summary>
public sealed record ImageReference(string Repository, string? Tag, string? Digest)
{
    /// <summary>The last path component of the repository (<c>node</c> of <c>docker.io/library/node</c>).</summary>
    public string Name => Repository[(Repository.LastIndexOf('/') + 1)..].ToLowerInvariant();

    /// <summary>Docker Hub's official image of that name (<c>node</c>, <c>library/node</c>, <c>docker.io/library/node</c>).</summary>
    public bool IsOfficial(string name) =>
        Repository.Equals(name, StringComparison.OrdinalIgnoreCase) || Repository.Equals("library/" + name, StringComparison.OrdinalIgnoreCase)
        || Repository.Equals("docker.io/library/" + name, StringComparison.OrdinalIgnoreCase) || Repository.Equals("docker.io/" + name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The leading number of the tag (<c>22</c> of <c>22-alpine</c>), or null (<c>lts</c>, <c>latest</c>, none).</summary>
    public int? MajorVersion => Tag is { } t && Regex.Match(t, @"^v?(\d+)") is { Success: true } m && int.TryParse(m.Groups[1].Value, out var v) ? v : null;

    public static ImageReference Parse(string reference)
    {
        var digestAt = reference.IndexOf('@', StringComparison.Ordinal);
        var digest = digestAt >= 0 ? reference[(digestAt + 1)..] : null;
        var rest = digestAt >= 0 ? reference[..digestAt] : reference;
        var colon = rest.LastIndexOf(':');
        return colon > rest.LastIndexOf('/') ? new ImageReference(rest[..colon], rest[(colon + 1)..], digest) : new ImageReference(rest, null, digest);
    }
}

/// <summary>
/// A Dockerfile parsed as BuildKit's frontend reads it: parser directives (<c># syntax=</c>, <c># escape=</c>), line
/// continuations with the file's escape character, comments (also inside continuations), here-documents of RUN, COPY
/// and ADD, the exec and shell forms, and build stages (<c>FROM [--platform=…] image [AS name]</c>).
/// </summary>
public sealed partial class Dockerfile
{
    private static readonly HashSet<string> Keywords =
    [
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD",
        "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    ];

    private Dockerfile(string text, char escape, IReadOnlyDictionary<string, string> directives, IReadOnlyList<DockerInstruction> instructions, IReadOnlyList<DockerStage> stages, IReadOnlyList<int> lineStarts)
    {
        Text = text;
        Escape = escape;
        Directives = directives;
        Instructions = instructions;
        Stages = stages;
        LineStarts = lineStarts;
    }

    public string Text { get; }

    /// <summary>The escape character: <c>\</c>, or <c>`</c> after <c># escape=`</c>.</summary>
    public char Escape { get; }

    /// <summary>The parser directives, keys lower case.</summary>
    public IReadOnlyDictionary<string, string> Directives { get; }

    /// <summary>Every instruction, global ARGs included.</summary>
    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>The build stages in order; the last one is the image <c>docker build</c> produces without <c>--target</c>.</summary>
    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The file offset of each line's first character.</summary>
    public IReadOnlyList<int> LineStarts { get; }

    /// <summary>The offset just after line <paramref name="line"/>'s line break (the start of the next line, or the end).</summary>
    public int AfterLine(int line) => line < LineStarts.Count ? LineStarts[line] : Text.Length;

    /// <summary>The line break the file uses.</summary>
    public string NewLine => Files.TextFormat.NewLine(Text);

    public static Dockerfile Parse(string text)
    {
        var lines = SplitLines(text);
        var directives = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        for (; i < lines.Count; i++)
        {
            var match = Directive().Match(Line(text, lines[i]));
            if (!match.Success || directives.ContainsKey(match.Groups[1].Value.ToLowerInvariant()))
                break;
            directives[match.Groups[1].Value.ToLowerInvariant()] = match.Groups[2].Value;
        }

        var escape = '\\';
        if (directives.TryGetValue("escape", out var e))
        {
            if (e is not ("\\" or "`"))
                throw new DockerfileSyntaxException(1, $"invalid escape directive '{e}': it must be \\ or `");
            escape = e[0];
        }

        var instructions = new List<DockerInstruction>();
        while (i < lines.Count)
        {
            var content = Line(text, lines[i]);
            var trimmed = content.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                i++;
                continue;
            }

            instructions.Add(ReadInstruction(text, lines, ref i, escape));
        }

        return new Dockerfile(text, escape, directives, instructions, ReadStages(instructions), [.. lines.Select(l => l.Start)]);
    }

    private static DockerInstruction ReadInstruction(string text, List<(int Start, int End)> lines, ref int i, char escape)
    {
        var first = i;
        var joined = new StringBuilder();
        var offsets = new List<int>();
        while (true)
        {
            var (start, end) = lines[i];
            var content = text[start..end];
            var continued = ContinuationAt(content, escape) is var at && at >= 0;
            var take = continued ? at : content.Length;
            // The keyword's line starts at its first non-blank; continuation lines keep their indentation (BuildKit joins them as they are).
            var from = i == first ? content.Length - content.TrimStart().Length : 0;
            for (var k = from; k < take; k++)
            {
                joined.Append(content[k]);
                offsets.Add(start + k);
            }

            i++;
            if (!continued)
                break;
            // Comment and empty lines inside a continuation are dropped.
            while (i < lines.Count && Line(text, lines[i]).TrimStart() is var next && (next.Length == 0 || next[0] == '#'))
                i++;
            if (i >= lines.Count)
                break;
        }

        var logical = joined.ToString();
        var space = logical.IndexOfAny([' ', '\t']);
        var keyword = (space < 0 ? logical : logical[..space]).ToUpperInvariant();
        var argumentStart = space < 0 ? logical.Length : space;
        while (argumentStart < logical.Length && char.IsWhiteSpace(logical[argumentStart]))
            argumentStart++;
        var arguments = logical[argumentStart..].TrimEnd();
        var argumentOffsets = offsets.Skip(argumentStart).Take(arguments.Length).ToArray();
        if (!Keywords.Contains(keyword))
        {
            var written = space < 0 ? logical : logical[..space]; // as BuildKit shows it: as written
            throw new DockerfileSyntaxException(first + 1, $"unknown instruction: {(written.Length > 40 ? written[..40] + "…" : written)}");
        }

        var lastLine = i; // 1-based number of the last line read
        var deferred = keyword == "ONBUILD" ? arguments.Split([' ', '\t'], 2)[0].ToUpperInvariant() : null;
        var heredocs = new List<Heredoc>();
        if (keyword is "RUN" or "COPY" or "ADD" || deferred is "RUN" or "COPY" or "ADD")
        {
            foreach (var (name, quoted, strip) in HeredocMarkers(arguments))
            {
                var bodyFirst = i;
                var body = new StringBuilder();
                var closed = false;
                while (i < lines.Count)
                {
                    var line = Line(text, lines[i]);
                    i++;
                    if ((strip ? line.TrimStart('\t') : line).TrimEnd() == name)
                    {
                        closed = true;
                        break;
                    }

                    body.Append(strip ? line.TrimStart('\t') : line).Append('\n');
                }

                if (!closed)
                    throw new DockerfileSyntaxException(first + 1, $"the here-document <<{name} is never closed (no line '{name}' after line {first + 1})");
                heredocs.Add(new Heredoc(name, quoted, strip, body.ToString(), bodyFirst + 1, i));
                lastLine = i;
            }
        }

        var endOffset = lines[lastLine - 1].End;
        var instruction = new DockerInstruction(keyword, arguments, argumentOffsets, first + 1, lastLine, lines[first].Start + (Line(text, lines[first]).Length - Line(text, lines[first]).TrimStart().Length), endOffset, heredocs);
        if (deferred is not null)
        {
            var inner = arguments.Length > deferred.Length ? arguments[deferred.Length..].TrimStart() : "";
            var innerStart = arguments.Length - inner.Length;
            instruction.Deferred = new DockerInstruction(deferred, inner, [.. argumentOffsets.Skip(innerStart)], first + 1, lastLine, argumentOffsets.FirstOrDefault(), endOffset, heredocs);
        }

        return instruction;
    }

    // Where a line's continuation character is (the escape character, then only blanks), or -1.
    private static int ContinuationAt(string content, char escape)
    {
        var end = content.Length;
        while (end > 0 && content[end - 1] is ' ' or '\t')
            end--;
        return end > 0 && content[end - 1] == escape ? end - 1 : -1;
    }

    // The here-document markers of an instruction's arguments: <<EOF, <<-EOF, <<"EOF", <<'EOF', 3<<EOF, in order.
    private static IEnumerable<(string Name, bool Quoted, bool StripTabs)> HeredocMarkers(string arguments)
    {
        var body = arguments.TrimStart();
        if (body.StartsWith('['))
            yield break; // the exec form has none
        foreach (Match m in HeredocMarker().Matches(arguments))
        {
            var raw = m.Groups["name"].Value;
            var quoted = raw.Length >= 2 && (raw[0] == '"' && raw[^1] == '"' || raw[0] == '\'' && raw[^1] == '\'');
            yield return (quoted ? raw[1..^1] : raw, quoted, m.Groups["strip"].Value == "-");
        }
    }

    private static List<DockerStage> ReadStages(List<DockerInstruction> instructions)
    {
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        var index = 0;
        while (index < instructions.Count && instructions[index].Keyword != "FROM")
        {
            var instruction = instructions[index];
            if (instruction.Keyword != "ARG")
                throw new DockerfileSyntaxException(instruction.Line, $"{instruction.Keyword} before the first FROM: only ARG may come before it");
            foreach (var (name, value) in ArgDefaults(instruction.Arguments))
                globalArgs[name] = value;
            index++;
        }

        while (index < instructions.Count)
        {
            var from = instructions[index++];
            var body = new List<DockerInstruction>();
            while (index < instructions.Count && instructions[index].Keyword != "FROM")
                body.Add(instructions[index++]);
            var words = from.Body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length is not (1 or 3) || words.Length == 3 && !words[1].Equals("AS", StringComparison.OrdinalIgnoreCase))
                throw new DockerfileSyntaxException(from.Line, words.Length == 0 ? "FROM without an image" : $"FROM {from.Body}: FROM takes an image and optionally AS <name>");
            var image = Substitute(words[0], globalArgs);
            var name = words.Length == 3 ? words[2].ToLowerInvariant() : null;
            var parent = stages.LastOrDefault(s => s.Name is not null && s.Name.Equals(image, StringComparison.OrdinalIgnoreCase));
            stages.Add(new DockerStage(stages.Count, from, image, name, parent, body));
        }

        return stages;
    }

    /// <summary>The <c>name=default</c> pairs of an ARG instruction (names without a default are left out).</summary>
    public static IEnumerable<(string Name, string Value)> ArgDefaults(string arguments)
    {
        foreach (var word in arguments.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
                yield return (word[..equals], word[(equals + 1)..].Trim('"', '\''));
        }
    }

    // $VAR, ${VAR}, ${VAR:-default} and ${VAR-default} with the global ARGs' defaults; unknown variables stay as written.
    private static string Substitute(string value, Dictionary<string, string> args) => Variable().Replace(value, m =>
    {
        var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value;
        if (args.TryGetValue(name, out var known) && known.Length > 0)
            return known;
        return m.Groups["default"].Success ? m.Groups["default"].Value : m.Value;
    });

    private static List<(int Start, int End)> SplitLines(string text)
    {
        var lines = new List<(int, int)>();
        var start = 0;
        for (var k = 0; k <= text.Length; k++)
        {
            if (k < text.Length && text[k] != '\n')
                continue;
            var end = k > start && text[k - 1] == '\r' ? k - 1 : k;
            if (k < text.Length || start < text.Length)
                lines.Add((start, end));
            start = k + 1;
        }

        return lines;
    }

    private static string Line(string text, (int Start, int End) line) => text[line.Start..line.End];

    [GeneratedRegex(@"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")]
    private static partial Regex Directive();

    [GeneratedRegex(@"(?<![<\w])\d*<<(?<strip>-?)(?<name>""[^""\s]+""|'[^'\s]+'|[A-Za-z_][\w.-]*)")]
    private static partial Regex HeredocMarker();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<default>[^}]*))?\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
