using System.Globalization;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Build;

/// <summary>Converts text values to a parameter's type: string, bool, int, long, double, TimeSpan (k6 durations), enums, paths, arrays.</summary>
public static class ParameterValueConverter
{
    /// <summary>Converts the values, or throws <see cref="FormatException"/> whose message names the expected type.</summary>
    public static object? Convert(Type type, IReadOnlyList<string> values, string? separator, string rootDirectory)
    {
        if (type.IsArray)
        {
            var elementType = type.GetElementType()!;
            var items = values
                .SelectMany(v => separator is null ? [v] : v.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToList();
            var array = Array.CreateInstance(elementType, items.Count);
            for (var i = 0; i < items.Count; i++)
                array.SetValue(ConvertSingle(elementType, items[i], rootDirectory), i);
            return array;
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool) && values.Count == 0)
            return true;
        if (values.Count == 0)
            throw new FormatException($"no value was given; expected {Describe(type)}");
        if (underlying == typeof(string))
            return string.Join(' ', values);
        if (values.Count > 1)
            throw new FormatException($"{values.Count} values were given; expected one {Describe(type)}");
        return ConvertSingle(underlying, values[0], rootDirectory);
    }

    /// <summary>How a type is named in help, the schema and errors.</summary>
    public static string Describe(Type type)
    {
        if (type.IsArray)
            return $"a list of {Describe(type.GetElementType()!)} values";
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
            return "one of " + string.Join(", ", EnumNames(t));
        return t switch
        {
            _ when t == typeof(string) => "a string",
            _ when t == typeof(bool) => "a boolean (true or false)",
            _ when t == typeof(int) => "an integer",
            _ when t == typeof(long) => "an integer",
            _ when t == typeof(double) => "a number",
            _ when t == typeof(TimeSpan) => "a duration (such as 500ms, 30s, 5m or 1h30m)",
            _ when t == typeof(AbsolutePath) => "a path",
            _ => t.Name,
        };
    }

    /// <summary>The short type name used in <c>--help</c>.</summary>
    public static string ShortName(Type type)
    {
        if (type.IsArray)
            return ShortName(type.GetElementType()!) + "[]";
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
            return string.Join("|", EnumNames(t));
        return t switch
        {
            _ when t == typeof(string) => "string",
            _ when t == typeof(bool) => "bool",
            _ when t == typeof(int) || t == typeof(long) => "int",
            _ when t == typeof(double) => "number",
            _ when t == typeof(TimeSpan) => "duration",
            _ when t == typeof(AbsolutePath) => "path",
            _ => t.Name,
        };
    }

    /// <summary>Enum members as written on the command line: <c>ramping-vus</c>.</summary>
    public static IEnumerable<string> EnumNames(Type enumType) => Enum.GetNames(enumType).Select(NameCase.ToKebabCase);

    /// <summary>Formats a value for help text and messages.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        TimeSpan t => K6Duration.Format(t),
        Enum e => NameCase.ToKebabCase(e.ToString()),
        double d => d.ToString(CultureInfo.InvariantCulture),
        Array a => string.Join(" ", a.Cast<object?>().Select(Format)),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static object ConvertSingle(Type type, string text, string rootDirectory)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        var s = text.Trim();
        if (t == typeof(string))
            return text;
        if (t == typeof(bool))
        {
            return s.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" or "on" => true,
                "false" or "0" or "no" or "off" => false,
                _ => throw Invalid(t),
            };
        }

        if (t == typeof(int))
            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw Invalid(t);
        if (t == typeof(long))
            return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : throw Invalid(t);
        if (t == typeof(double))
            return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : throw Invalid(t);
        if (t == typeof(TimeSpan))
        {
            if (K6Duration.TryParse(s, out var duration, out _))
                return duration;
            return TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out var span) && s.Contains(':') ? span : throw Invalid(t);
        }

        if (t == typeof(AbsolutePath))
            return s.Length > 0 ? AbsolutePath.Create(s, rootDirectory) : throw Invalid(t);
        if (t.IsEnum)
        {
            var name = Enum.GetNames(t).FirstOrDefault(n => NameCase.Normalize(n) == NameCase.Normalize(s));
            return name is not null ? Enum.Parse(t, name) : throw Invalid(t);
        }

        throw new NotSupportedException($"Parameters of type {t.Name} are not supported.");
    }

    private static FormatException Invalid(Type type) => new($"expected {Describe(type)}");
}
