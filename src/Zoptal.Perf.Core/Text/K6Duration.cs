using System.Globalization;
using System.Text;

namespace Zoptal.Perf.Core.Text;

/// <summary>
/// Durations as k6 writes them (Go's <c>time.ParseDuration</c> plus days): <c>500ms</c>, <c>30s</c>, <c>5m</c>,
/// <c>1h30m</c>, <c>1.5s</c>. Used for the config file and the command line alike, so one spelling works everywhere.
/// </summary>
public static class K6Duration
{
    /// <summary>The hint shown with every parse error.</summary>
    public const string Hint = "write a number followed by a unit (ms, s, m, h), such as 500ms, 30s, 5m or 1h30m";

    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour), ("d", TimeSpan.TicksPerDay),
    ];

    /// <summary>Parses a k6 duration; returns false with a reason when the text is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = string.Empty;
        var s = text?.Trim() ?? string.Empty;
        if (s.Length == 0)
        {
            error = "a duration is empty";
            return false;
        }

        if (s == "0")
            return true;

        double ticks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
                i++;
            if (i == start || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{s}' is not a duration: expected a number at position {start + 1}";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
                i++;
            var unit = s[unitStart..i];
            var factor = Array.Find(Units, u => u.Unit == unit);
            if (factor.Unit is null)
            {
                error = unit.Length == 0
                    ? $"'{s}' is not a duration: the number {number.ToString(CultureInfo.InvariantCulture)} has no unit"
                    : $"'{s}' is not a duration: unknown unit '{unit}'";
                return false;
            }

            ticks += number * factor.Ticks;
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"'{s}' is too long a duration";
            return false;
        }

        value = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    /// <summary>Parses a k6 duration or throws <see cref="FormatException"/> with the reason and a hint.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException($"{error}; {Hint}");

    /// <summary>Formats a duration the way k6 prints it: <c>1h30m</c>, <c>45s</c>, <c>250ms</c>, <c>1m0.5s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
            return "0s";
        if (value < TimeSpan.Zero)
            return "-" + Format(value.Negate());
        if (value < TimeSpan.FromSeconds(1))
            return (value.Ticks / (double)TimeSpan.TicksPerMillisecond).ToString("0.###", CultureInfo.InvariantCulture) + "ms";

        var builder = new StringBuilder();
        var hours = (long)value.TotalHours;
        if (hours > 0)
            builder.Append(hours).Append('h');
        if (value.Minutes > 0 || (hours > 0 && (value.Seconds > 0 || value.Milliseconds > 0)))
            builder.Append(value.Minutes).Append('m');
        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
        if (seconds > 0)
            builder.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('s');
        return builder.ToString();
    }
}
