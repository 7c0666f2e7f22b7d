namespace Zoptal.Perf.Core.Secrets;

/// <summary>
/// Replaces known secret values (tokens, passwords, webhook URLs) with <c>****</c> in any text that is shown or written.
/// Values are registered when they are bound from the environment, so nothing has to remember to mask them later.
/// </summary>
public sealed class SecretMasker
{
    /// <summary>What a masked value is shown as.</summary>
    public const string Mask = "****";

    private readonly object _gate = new();
    private string[] _secrets = [];

    /// <summary>The masker of this process, shared by the build host and the config loader.</summary>
    public static SecretMasker Shared { get; } = new();

    /// <summary>Whether any secret is registered; lets hot paths skip the scan.</summary>
    public bool IsEmpty => _secrets.Length == 0;

    /// <summary>Registers a value; empty values and values of under 4 characters are ignored, they would mask ordinary text.</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < 4)
            return;
        lock (_gate)
        {
            if (_secrets.Contains(secret))
                return;
            // Longest first, so a secret that contains another is masked whole.
            _secrets = [.. _secrets.Append(secret).OrderByDescending(s => s.Length)];
        }
    }

    /// <summary>The text with every registered secret replaced by <see cref="Mask"/>.</summary>
    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? string.Empty;
        var secrets = _secrets;
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
