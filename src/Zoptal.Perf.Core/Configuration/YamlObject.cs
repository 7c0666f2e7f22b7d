using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Perf.Core.Configuration;

/// <summary>What every reader of one file shares: its name, the environment, the errors so far.</summary>
internal sealed partial class ConfigContext(string file, IReadOnlyDictionary<string, string> environment, SecretMasker masker)
{
    public string File { get; } = file;
    public IReadOnlyDictionary<string, string> Environment { get; } = environment;
    public SecretMasker Masker { get; } = masker;
    public List<ConfigError> Errors { get; } = [];

    public void Error(Mark mark, string path, string message, string? hint = null, int columnOffset = 0) =>
        Errors.Add(new ConfigError(File, (int)mark.Line, (int)mark.Column + columnOffset, path, message, hint));

    public void Error(YamlNode node, string path, string message, string? hint = null, int columnOffset = 0) =>
        Error(node.Start, path, message, hint, columnOffset);

    /// <summary>A scalar's text, interpolated; null for an empty or null value, or when it is not a scalar (an error then).</summary>
    public string? Scalar(YamlNode node, string path, string expected, bool secret = false)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(node, path, $"expected {expected}, found {Describe(node)}");
            return null;
        }

        var raw = scalar.Value ?? string.Empty;
        if (scalar.Style == ScalarStyle.Plain && raw is "" or "~" or "null" or "Null" or "NULL")
            return null;
        var result = Interpolation.Apply(raw, Environment);
        if (result.Error is not null)
        {
            var quote = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? 1 : 0;
            Error(node, path, result.Error, result.Hint, result.ErrorOffset + quote);
            return null;
        }

        if (secret)
            Masker.Add(result.Value);
        foreach (var (name, value) in result.Variables.Where(v => SecretName().IsMatch(v.Name)))
            Masker.Add(value);
        return result.Value;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };

    [GeneratedRegex("PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|WEBHOOK|CREDENTIAL", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}

/// <summary>
/// A mapping read key by key. Each accessor marks its key as known and reports wrong types at the value's position;
/// <see cref="ReportUnknownKeys"/> then reports every other key with a did-you-mean.
/// </summary>
internal sealed class YamlObject
{
    private readonly YamlMappingNode _node;
    private readonly ConfigContext _context;
    private readonly HashSet<string> _known = [];

    private YamlObject(YamlMappingNode node, string path, ConfigContext context)
    {
        _node = node;
        Path = path;
        _context = context;
    }

    public string Path { get; }
    public YamlNode Node => _node;
    public ConfigContext Context => _context;

    /// <summary>A mapping at this node, or null (with an error when the node is something else).</summary>
    public static YamlObject? From(YamlNode? node, string path, ConfigContext context)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode mapping:
                return new YamlObject(mapping, path, context);
            case YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" }:
                return null;
            default:
                context.Error(node, path, $"expected a mapping of keys, found {ConfigContext.Describe(node)}");
                return null;
        }
    }

    public string ChildPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public YamlNode? Get(string key)
    {
        _known.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    public bool Has(string key) => _node.Children.ContainsKey(new YamlScalarNode(key));

    public string? String(string key, bool required = false, bool secret = false)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required)
                Missing(key);
            return null;
        }

        var value = _context.Scalar(node, ChildPath(key), "a string", secret);
        if (value is null && required && node is YamlScalarNode)
            _context.Error(node, ChildPath(key), "must not be empty");
        return value;
    }

    public int? Int(string key, int min, int max = int.MaxValue, bool required = false)
    {
        var (text, node) = Text(key, "an integer", required);
        if (text is null)
            return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            _context.Error(node!, ChildPath(key), $"'{text}' is not an integer");
            return null;
        }

        return InRange(value, min, max, node!, key) ? value : null;
    }

    /// <summary>A number, or a percentage written <c>5%</c>; both give the number of percent.</summary>
    public double? Percent(string key, double min = 0, double max = 100)
    {
        var (text, node) = Text(key, "a percentage", false);
        if (text is null)
            return null;
        // "5%" or "5"; not "5 %", which a reader cannot tell from a typo.
        var number = text.EndsWith('%') ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            _context.Error(node!, ChildPath(key), $"'{text}' is not a percentage", "write 5% or 5");
            return null;
        }

        return InRange(value, min, max, node!, key) ? value : null;
    }

    public double? Number(string key, double min, double max = double.MaxValue)
    {
        var (text, node) = Text(key, "a number", false);
        if (text is null)
            return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            _context.Error(node!, ChildPath(key), $"'{text}' is not a number");
            return null;
        }

        return InRange(value, min, max, node!, key) ? value : null;
    }

    /// <summary>A k6 duration; a bare number counts as milliseconds only where <paramref name="bareMilliseconds"/> says so.</summary>
    public TimeSpan? Duration(string key, TimeSpan? min = null, bool bareMilliseconds = false, bool required = false)
    {
        var (text, node) = Text(key, "a duration", required);
        if (text is null)
            return null;
        if (bareMilliseconds && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms))
            text = ms.ToString(CultureInfo.InvariantCulture) + "ms";
        if (!K6Duration.TryParse(text, out var value, out var error))
        {
            _context.Error(node!, ChildPath(key), error, K6Duration.Hint);
            return null;
        }

        if (min is { } lower && value < lower)
        {
            _context.Error(node!, ChildPath(key), $"{K6Duration.Format(value)} is too short; the least is {K6Duration.Format(lower)}");
            return null;
        }

        return value;
    }

    /// <summary>A memory size in bytes: <c>8GB</c>, <c>512MB</c>, <c>1.5GiB</c>, <c>512M</c> (units of 1024, as Docker and PostgreSQL count).</summary>
    public long? Size(string key, long min)
    {
        var (text, node) = Text(key, "a size", false);
        if (text is null)
            return null;
        var match = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^(\d+(?:\.\d+)?)\s*([kKmMgGtT])(?:i?[bB])?$");
        if (!match.Success)
        {
            _context.Error(node!, ChildPath(key), $"'{text}' is not a size", "write 512MB, 8GB or 1.5GB");
            return null;
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var bytes = (long)(number * (char.ToUpperInvariant(match.Groups[2].Value[0]) switch { 'K' => 1024d, 'M' => 1024d * 1024, 'G' => 1024d * 1024 * 1024, _ => 1024d * 1024 * 1024 * 1024 }));
        if (bytes < min)
        {
            _context.Error(node!, ChildPath(key), $"{text} is too small; the least is {min / 1048576}MB");
            return null;
        }

        return bytes;
    }

    public bool? Bool(string key)
    {
        var (text, node) = Text(key, "true or false", false);
        if (text is null)
            return null;
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                return true;
            case "false" or "no" or "off":
                return false;
            default:
                _context.Error(node!, ChildPath(key), $"'{text}' is not a boolean", "write true or false");
                return null;
        }
    }

    /// <summary>An enum written in kebab-case (<c>ramping-vus</c>), matched ignoring case and dashes.</summary>
    public T? Enum<T>(string key, string what) where T : struct, Enum
    {
        var (text, node) = Text(key, what, false);
        if (text is null)
            return null;
        var names = System.Enum.GetNames<T>();
        var match = names.FirstOrDefault(n => NameCase.Normalize(n) == NameCase.Normalize(text));
        if (match is not null)
            return System.Enum.Parse<T>(match);
        var allowed = names.Select(NameCase.ToKebabCase).ToList();
        var suggestion = Suggestions.Closest(text, allowed);
        _context.Error(node!, ChildPath(key), $"'{text}' is not {what}",
            (suggestion is null ? string.Empty : $"did you mean '{suggestion}'? ") + $"allowed: {string.Join(", ", allowed)}");
        return null;
    }

    public Uri? Url(string key, bool required, params string[] schemes)
    {
        var (text, node) = Text(key, "a URL", required);
        if (text is null)
            return null;
        return ParseUrl(text, node!, ChildPath(key), schemes);
    }

    public Uri? ParseUrl(string text, YamlNode node, string path, string[] schemes)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme) && (uri.IsFile || uri.Host.Length > 0 || uri.Scheme == "unix"))
            return uri;
        _context.Error(node, path, $"'{text}' is not a valid URL", $"write {string.Join(" or ", schemes.Select(s => s + "://..."))}, such as http://127.0.0.1:3001");
        return null;
    }

    public YamlObject? Object(string key, bool required = false)
    {
        var node = Get(key);
        if (node is null && required)
            Missing(key);
        return From(node, ChildPath(key), _context);
    }

    /// <summary>The items of a list, with their paths (<c>services[2]</c>).</summary>
    public IReadOnlyList<(YamlNode Node, string Path)> List(string key, bool required = false)
    {
        var node = Get(key);
        switch (node)
        {
            case null:
                if (required)
                    Missing(key);
                return [];
            case YamlSequenceNode sequence:
                return sequence.Children.Select((child, i) => (child, $"{ChildPath(key)}[{i}]")).ToList();
            case YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" }:
                return [];
            default:
                _context.Error(node, ChildPath(key), $"expected a list, found {ConfigContext.Describe(node)}", "write a list as [a, b] or with '- ' items");
                return [];
        }
    }

    public IReadOnlyList<string> StringList(string key, Func<string, YamlNode, string, bool>? validate = null)
    {
        var result = new List<string>();
        foreach (var (item, path) in List(key))
        {
            var text = _context.Scalar(item, path, "a string");
            if (text is not null && (validate is null || validate(text, item, path)))
                result.Add(text);
        }

        return result;
    }

    /// <summary>Every key of a free-form mapping (headers, per-scenario tables), marked known.</summary>
    public IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries()
    {
        foreach (var (keyNode, value) in _node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                continue;
            _known.Add(key);
            yield return (key, keyNode, value);
        }
    }

    /// <summary>Every key not read is an error with a did-you-mean; <paramref name="extensions"/> lets <c>x-</c> keys through (anchors' homes, as in Compose files).</summary>
    public void ReportUnknownKeys(bool extensions = false)
    {
        foreach (var keyNode in _node.Children.Keys)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || _known.Contains(key) || (extensions && key.StartsWith("x-", StringComparison.Ordinal)))
                continue;
            var suggestion = Suggestions.Closest(key, _known);
            _context.Error(keyNode, ChildPath(key), $"unknown key '{key}'",
                suggestion is not null ? $"did you mean '{suggestion}'?" : $"known keys here: {string.Join(", ", _known)}");
        }
    }

    public void Missing(string key) => _context.Error(_node, Path, $"'{key}' is required");

    private (string? Text, YamlNode? Node) Text(string key, string expected, bool required)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required)
                Missing(key);
            return (null, null);
        }

        var text = _context.Scalar(node, ChildPath(key), expected)?.Trim();
        if (text is null && required && node is YamlScalarNode)
            _context.Error(node, ChildPath(key), "must not be empty");
        return (text, node);
    }

    private bool InRange<TValue>(TValue value, TValue min, TValue max, YamlNode node, string key) where TValue : IComparable<TValue>
    {
        if (value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0)
            return true;
        _context.Error(node, ChildPath(key), $"{value} is out of range", $"allowed: {min} to {max}");
        return false;
    }
}
