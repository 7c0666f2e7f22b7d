using System.Globalization;

namespace Zoptal.Perf.Optimize.Postgres;

/// <summary>PostgreSQL's memory units (kB, MB, GB, TB of 1024) as postgresql.conf writes them.</summary>
public static class PgSize
{
    private const long Mb = 1024;
    private const long Gb = 1024 * 1024;
    private const long Tb = 1024L * 1024 * 1024;

    /// <summary>An exact value in the largest unit that divides it: <c>2GB</c>, <c>512MB</c>, <c>10280kB</c> (PGTune's way).</summary>
    public static string Format(long kb) =>
        kb != 0 && kb % Tb == 0 ? $"{kb / Tb}TB" : kb != 0 && kb % Gb == 0 ? $"{kb / Gb}GB" : kb != 0 && kb % Mb == 0 ? $"{kb / Mb}MB" : $"{kb}kB";

    /// <summary>
    /// A value in the largest whole unit that stays within 2.5 % of it (<c>6GB</c>, not <c>6170905kB</c>), for values
    /// computed from a machine's memory, which are never round; exact values stay exact.
    /// </summary>
    public static string Readable(long kb)
    {
        foreach (var (unit, name) in new[] { (Tb, "TB"), (Gb, "GB"), (Mb, "MB") })
        {
            if (kb < unit)
                continue;
            var rounded = Math.Round((double)kb / unit);
            if (Math.Abs(rounded * unit - kb) <= 0.025 * kb)
                return string.Create(CultureInfo.InvariantCulture, $"{rounded}{name}");
        }

        return Format(kb);
    }

    /// <summary>
    /// A setting's value in kB: with a unit (<c>128MB</c>, <c>1GB</c>, <c>64kB</c>), or a bare number in the setting's
    /// own unit (<paramref name="unitKb"/>: 8 for shared_buffers' pages, 1024 for min_wal_size's MB). Null when it is not a size.
    /// </summary>
    public static long? ToKb(string value, double unitKb = 1)
    {
        var text = value.Trim().Trim('\'').Trim();
        var digits = new string([.. text.TakeWhile(c => char.IsDigit(c) || c == '.' || c == '-')]);
        if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return null;
        var suffix = text[digits.Length..].Trim();
        double? factor = suffix switch
        {
            "" => unitKb,
            "B" => 1.0 / 1024,
            "kB" => 1,
            "MB" => Mb,
            "GB" => Gb,
            "TB" => Tb,
            _ => null, // PostgreSQL's units are case-sensitive: "mb" is refused by the server
        };
        return factor is { } f ? (long)Math.Round(number * f) : null;
    }
}
