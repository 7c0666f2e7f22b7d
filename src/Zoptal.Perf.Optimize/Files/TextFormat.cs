using System.Text;

namespace Zoptal.Perf.Optimize.Files;

/// <summary>
/// How a file stores its text: UTF-8 (with or without a byte order mark), UTF-16 with its mark, or, when the bytes
/// are not valid UTF-8, Latin-1, which maps every byte to one character and back. Decoding and encoding again gives
/// the same bytes, so a patch changes a file's bytes only where it changes its text.
/// </summary>
public sealed class TextFormat
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private TextFormat(string name, Encoding encoding, byte[] preamble)
    {
        Name = name;
        Encoding = encoding;
        Preamble = preamble;
    }

    /// <summary>UTF-8 without a byte order mark.</summary>
    public static TextFormat Utf8 { get; } = new("UTF-8", StrictUtf8, []);

    /// <summary>What the format is called in reports: "UTF-8", "UTF-8 with BOM", "Latin-1", "UTF-16LE with BOM".</summary>
    public string Name { get; }

    /// <summary>The encoding of the text after the mark.</summary>
    public Encoding Encoding { get; }

    /// <summary>The byte order mark the file starts with (empty when none).</summary>
    public byte[] Preamble { get; }

    /// <summary>The text of some bytes and how they stored it.</summary>
    public static (string Text, TextFormat Format) Decode(byte[] bytes)
    {
        if (bytes is [0xEF, 0xBB, 0xBF, ..] && TryUtf8(bytes.AsSpan(3), out var bomText))
            return (bomText, new TextFormat("UTF-8 with BOM", StrictUtf8, [0xEF, 0xBB, 0xBF]));
        if (bytes is [0xFF, 0xFE, ..] && bytes.Length % 2 == 0)
            return (Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2), new TextFormat("UTF-16LE with BOM", new UnicodeEncoding(false, false, true), [0xFF, 0xFE]));
        if (bytes is [0xFE, 0xFF, ..] && bytes.Length % 2 == 0)
            return (Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2), new TextFormat("UTF-16BE with BOM", new UnicodeEncoding(true, false, true), [0xFE, 0xFF]));
        if (TryUtf8(bytes, out var text))
            return (text, Utf8);
        return (Encoding.Latin1.GetString(bytes), new TextFormat("Latin-1 (not valid UTF-8)", Encoding.Latin1, []));
    }

    /// <summary>The bytes of a text in this format; throws when a character cannot be stored (a patch adding é to a Latin-1 file can; Ā cannot).</summary>
    public byte[] Encode(string text)
    {
        if (ReferenceEquals(Encoding, Encoding.Latin1) && text.Any(c => c > '\u00FF'))
            throw new InvalidOperationException($"the text has characters {Name} cannot store");
        return [.. Preamble, .. Encoding.GetBytes(text)];
    }

    /// <summary>The line ending a file uses most: "\r\n" or "\n".</summary>
    public static string NewLine(string text)
    {
        var crlf = 0;
        var lf = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n')
                continue;
            if (i > 0 && text[i - 1] == '\r')
                crlf++;
            else
                lf++;
        }

        return crlf > lf ? "\r\n" : "\n";
    }

    private static bool TryUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
