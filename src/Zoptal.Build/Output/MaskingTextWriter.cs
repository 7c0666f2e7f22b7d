using System.Text;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Build;

/// <summary>
/// A writer that holds text until a line is complete and masks secrets in it, so a secret written in pieces
/// (or by a target's own <c>Console.Write</c>) is still masked.
/// </summary>
public sealed class MaskingTextWriter(TextWriter inner, SecretMasker masker) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly object _gate = new();

    /// <inheritdoc />
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value)
    {
        lock (_gate)
        {
            _line.Append(value);
            if (value == '\n')
                EmitLine();
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        if (value is null)
            return;
        lock (_gate)
        {
            _line.Append(value);
            if (value.Contains('\n'))
                EmitLine();
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
        lock (_gate)
        {
            if (_line.Length > 0)
            {
                inner.Write(masker.Apply(_line.ToString()));
                _line.Clear();
            }

            inner.Flush();
        }
    }

    private void EmitLine()
    {
        var text = _line.ToString();
        var end = text.LastIndexOf('\n') + 1;
        inner.Write(masker.Apply(text[..end]));
        _line.Remove(0, end);
        inner.Flush();
    }
}
