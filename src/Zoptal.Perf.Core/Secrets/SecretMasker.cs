using System.Text.Json.Nodes;

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

    /// <summary>
    /// Every string of a JSON document (values and property names) with the secrets masked, before it is encoded:
    /// masking the encoded text would miss a secret whose characters the encoder escapes (<c>+</c> becomes <c>\u002B</c>).
    /// Returns the same node, changed in place, or a new one for a string at the top.
    /// </summary>
    public JsonNode? Apply(JsonNode? node)
    {
        if (node is null || IsEmpty)
            return node;
        if (node is JsonValue value)
            return value.TryGetValue<string>(out var text) && Apply(text) is var masked && masked != text ? JsonValue.Create(masked) : node;
        if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                var child = array[i];
                if (Apply(child) is var replaced && !ReferenceEquals(replaced, child))
                    array[i] = replaced;
            }

            return array;
        }

        var obj = (JsonObject)node;
        foreach (var name in obj.Select(p => p.Key).ToList())
        {
            var child = obj[name];
            var replaced = Apply(child);
            var key = Apply(name);
            if (key != name)
            {
                obj.Remove(name);
                obj[key] = replaced;
            }
            else if (!ReferenceEquals(replaced, child))
            {
                obj[name] = replaced;
            }
        }

        return obj;
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
