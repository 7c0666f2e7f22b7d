using System.Globalization;
using System.Text;

namespace Zoptal.Build;

/// <summary>The end-of-build summary in Nuke's layout, and its Markdown form for <c>$GITHUB_STEP_SUMMARY</c>.</summary>
public static class SummaryTable
{
    private const int StatusWidth = 10;
    private const int DurationWidth = 10;

    /// <summary>The console table: target, status, duration, <c>// Key: Value</c> notes, total, verdict line.</summary>
    public static string Render(IReadOnlyList<ExecutableTarget> plan, bool succeeded, DateTimeOffset finishedAt)
    {
        var shown = plan.Where(t => !t.IsCollective).ToList();
        var nameWidth = Math.Max(19, shown.Count == 0 ? 0 : shown.Max(t => t.Name.Length + 4));
        var width = nameWidth + StatusWidth + DurationWidth;
        var builder = new StringBuilder();
        builder.AppendLine(new string('═', width));
        builder.AppendLine("Target".PadRight(nameWidth) + "Status".PadRight(StatusWidth) + "Duration".PadLeft(DurationWidth));
        builder.AppendLine(new string('─', width));
        foreach (var target in shown)
        {
            var line = target.Name.PadRight(nameWidth) + target.Status.ToString().PadRight(StatusWidth) +
                       FormatDuration(target.Duration).PadLeft(DurationWidth);
            var notes = Notes(target);
            builder.AppendLine(notes.Count == 0 ? line : $"{line}   // {notes[0]}");
            foreach (var note in notes.Skip(1))
                builder.AppendLine($"{new string(' ', width)}   // {note}");
        }

        builder.AppendLine(new string('─', width));
        var total = TimeSpan.FromTicks(shown.Sum(t => t.Duration.Ticks));
        builder.AppendLine("Total".PadRight(nameWidth + StatusWidth) + FormatDuration(total).PadLeft(DurationWidth));
        builder.AppendLine(new string('═', width));
        builder.AppendLine();
        var when = finishedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        builder.AppendLine(succeeded ? $"Build succeeded on {when}. ＼（＾ᴗ＾）／" : $"Build failed on {when}. (╯°□°）╯︵ ┻━┻");
        return builder.ToString();
    }

    /// <summary>The same table as GitHub-flavoured Markdown.</summary>
    public static string RenderMarkdown(IReadOnlyList<ExecutableTarget> plan, bool succeeded)
    {
        var shown = plan.Where(t => !t.IsCollective).ToList();
        var builder = new StringBuilder();
        builder.AppendLine($"### Build {(succeeded ? "succeeded" : "failed")}");
        builder.AppendLine();
        builder.AppendLine("| Target | Status | Duration | Notes |");
        builder.AppendLine("|:--|:--|--:|:--|");
        foreach (var target in shown)
        {
            var icon = target.Status switch
            {
                TargetStatus.Succeeded => "✅ ",
                TargetStatus.Failed => "❌ ",
                TargetStatus.Aborted => "⛔ ",
                TargetStatus.Skipped => "⏭️ ",
                _ => string.Empty,
            };
            builder.AppendLine($"| {Escape(target.Name)} | {icon}{target.Status} | {FormatDuration(target.Duration)} | {Escape(string.Join("; ", Notes(target)))} |");
        }

        var total = TimeSpan.FromTicks(shown.Sum(t => t.Duration.Ticks));
        builder.AppendLine($"| **Total** | | **{FormatDuration(total)}** | |");
        return builder.ToString();
    }

    /// <summary><c>m:ss</c>, as Nuke prints durations.</summary>
    public static string FormatDuration(TimeSpan duration) =>
        $"{(int)duration.TotalMinutes}:{duration.Seconds:00}";

    private static List<string> Notes(ExecutableTarget target)
    {
        var notes = target.SummaryNotes.Select(kv => $"{kv.Key}: {kv.Value}").ToList();
        if (target.SkipReason is not null)
            notes.Insert(0, target.SkipReason);
        return notes;
    }

    private static string Escape(string text) =>
        text.Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ").Replace("<", "&lt;").Replace(">", "&gt;");
}
