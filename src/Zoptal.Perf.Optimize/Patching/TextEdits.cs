using System.Text;

namespace Zoptal.Perf.Optimize.Patching;

/// <summary>Edits applied together to the text they were made from.</summary>
public static class TextEdits
{
    /// <summary>
    /// The text with every edit applied in one pass: at each offset the insertions there in the order given, then the
    /// replacement that starts there. Edits must not overlap (<see cref="TextEdit.Overlaps"/>).
    /// </summary>
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        var ordered = edits.Select((e, i) => (Edit: e, Order: i)).OrderBy(x => x.Edit.Start).ThenBy(x => x.Edit.End > x.Edit.Start ? 1 : 0).ThenBy(x => x.Order).Select(x => x.Edit).ToList();
        var result = new StringBuilder(text.Length + ordered.Sum(e => e.Replacement.Length));
        var at = 0;
        foreach (var edit in ordered)
        {
            if (edit.Start < at)
                throw new InvalidOperationException($"edits overlap at offset {edit.Start}");
            result.Append(text, at, edit.Start - at).Append(edit.Replacement);
            at = edit.End;
        }

        return result.Append(text, at, text.Length - at).ToString();
    }
}
