using Zoptal.Perf.Core;
using Zoptal.Perf.Optimize.Files;

namespace Zoptal.Perf.Optimize;

/// <summary>Where a rule looks.</summary>
public enum Area
{
    Docker,
    Postgres,
    Pm2,
    Nextjs,

    /// <summary>The files themselves: globs that matched nothing, links not followed, files that could not be read.</summary>
    Inputs,
}

/// <summary>A replacement of the characters [Start, End) of a file's text (an insertion when they are equal).</summary>
public sealed record TextEdit(int Start, int End, string Replacement)
{
    /// <summary>An insertion at <paramref name="at"/>.</summary>
    public static TextEdit Insert(int at, string text) => new(at, at, text);

    /// <summary>True when the edits share a character, or one inserts strictly inside the other's span (insertions at one point do not).</summary>
    public bool Overlaps(TextEdit other) => Start < other.End && other.Start < End;
}

/// <summary>
/// A change to one file: its text before and after (the diff is made from these), and how the file stores its text
/// (encoding, byte order mark), so the bytes written differ from the file's only where the text does.
/// </summary>
public sealed record FilePatch(string RelativePath, string Original, string Updated)
{
    /// <summary>How the text becomes bytes again.</summary>
    public TextFormat Format { get; init; } = TextFormat.Utf8;
}

/// <summary>
/// A recommendation with its evidence: what was read (inputs), the rule's formula or threshold, the numbers, the
/// recommendation, a link to the source of the rule, and the edits that apply it when they are safe to offer.
/// </summary>
public sealed record Finding(string RuleId, Area Area, Severity Severity, string File, int? Line, string Title, string Evidence, string Recommendation, string Link)
{
    /// <summary>The change this finding offers, as edits of its file's text (empty: advice only).</summary>
    public IReadOnlyList<TextEdit> Edits { get; init; } = [];

    /// <summary>The patch of the file that carries this finding's edits; null when nothing of it is written.</summary>
    public FilePatch? Patch { get; init; }

    /// <summary>Why edits this finding offered were not made (they overlapped another's, the result did not parse).</summary>
    public string? NotPatched { get; init; }

    /// <summary>The metrics of the newest run this finding is expected to move, with their values now; null without a run.</summary>
    public string? Moves { get; init; }
}
