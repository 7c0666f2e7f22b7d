using System.Text.Json;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Build;

/// <summary>Raised for bad usage: an unknown argument, a value that does not convert, a missing required parameter. Exit code 2.</summary>
public sealed class UsageException(string message) : ExitCodeException(message, ExitCodes.Usage);

/// <summary>Where a parameter's value came from; shown with conversion errors.</summary>
public sealed record ParameterSource(string Description, IReadOnlyList<string> Values);

/// <summary>
/// Binds parameters in Nuke's order: command line, environment (exact name, then letters and digits matched
/// case-insensitively with or without <c>NUKE_</c>, then the parameter's extra variables), the
/// <c>parameters.&lt;profile&gt;.json</c> files (a later profile wins), then <c>.nuke/parameters.json</c>.
/// </summary>
public sealed class ParameterBinder(
    CommandLineArguments arguments,
    IReadOnlyDictionary<string, string> environment,
    string rootDirectory,
    IReadOnlyList<string> profiles)
{
    /// <summary>Names the host handles itself; they never count as unknown.</summary>
    public static readonly IReadOnlyList<string> BuiltIns =
        ["help", "plan", "target", "skip", "root", "no-logo", "profile", "verbosity", "host"];

    /// <summary>Warnings seen while binding (ambiguous variables).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Binds every parameter of the build; collects all errors and throws them together.</summary>
    public void Bind(object build, IReadOnlyList<ParameterMember> parameters, SecretMasker masker)
    {
        var errors = new List<string>();
        var files = LoadParameterFiles(parameters, errors);
        CheckUnknownArguments(parameters, errors);
        foreach (var parameter in parameters)
        {
            var source = FindSource(parameter, files);
            if (source is null)
                continue;
            if (parameter.IsSecret)
            {
                foreach (var value in source.Values)
                    masker.Add(value);
            }

            try
            {
                parameter.SetValue(build, ParameterValueConverter.Convert(parameter.Type, source.Values, parameter.Separator, rootDirectory));
            }
            catch (FormatException e)
            {
                var shown = parameter.IsSecret ? SecretMasker.Mask : string.Join(' ', source.Values);
                errors.Add($"Invalid value '{shown}' for parameter '{parameter.DisplayName}' (from {source.Description}): {e.Message}.");
            }
        }

        if (errors.Count > 0)
            throw new UsageException(string.Join(Environment.NewLine, errors));
    }

    private void CheckUnknownArguments(IReadOnlyList<ParameterMember> parameters, List<string> errors)
    {
        var known = parameters.Select(p => p.Name).Concat(BuiltIns).ToList();
        foreach (var argument in arguments.Named)
        {
            if (known.Any(k => NameCase.Normalize(k) == NameCase.Normalize(argument.Name)))
                continue;
            var suggestion = Suggestions.Closest(argument.Name, known, NameCase.Normalize);
            var hint = suggestion is null ? " Run with --help to see the parameters." : $" Did you mean '--{NameCase.ToKebabCase(suggestion)}'?";
            errors.Add($"Unknown argument '--{argument.Name}'.{hint}");
        }
    }

    private ParameterSource? FindSource(ParameterMember parameter, List<(string File, Dictionary<string, JsonElement> Values)> files)
    {
        if (arguments.Get(parameter.Name) is { } named)
            return new ParameterSource("the command line", named.Values);

        if (FromEnvironment(parameter) is { } fromEnvironment)
            return fromEnvironment;

        foreach (var (file, values) in files)
        {
            var match = values.FirstOrDefault(kv => NameCase.Normalize(kv.Key) == NameCase.Normalize(parameter.Name));
            if (match.Key is not null && match.Value.ValueKind != JsonValueKind.Null)
                return new ParameterSource(file, ToStrings(match.Value));
        }

        return null;
    }

    private ParameterSource? FromEnvironment(ParameterMember parameter)
    {
        if (environment.TryGetValue(parameter.Name, out var exact))
            return FromVariable(parameter, parameter.Name, exact);

        var normalized = NameCase.Normalize(parameter.Name);
        var matches = environment
            .Where(kv => NameCase.Normalize(kv.Key) is var n && (n == normalized || n == "nuke" + normalized))
            .ToList();
        if (matches.Select(m => m.Value).Distinct().Count() > 1)
        {
            Warnings.Add($"Parameter '{parameter.DisplayName}' matches several environment variables with different values " +
                         $"({string.Join(", ", matches.Select(m => m.Key))}); they are ignored.");
        }
        else if (matches.Count > 0)
        {
            return FromVariable(parameter, matches[0].Key, matches[0].Value);
        }

        foreach (var name in parameter.EnvironmentVariables)
        {
            if (environment.TryGetValue(name, out var value))
                return FromVariable(parameter, name, value);
        }

        return null;
    }

    private static ParameterSource FromVariable(ParameterMember parameter, string name, string value)
    {
        var type = Nullable.GetUnderlyingType(parameter.Type) ?? parameter.Type;
        IReadOnlyList<string> values = type.IsArray && parameter.Separator is null
            ? value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : [value];
        return new ParameterSource($"environment variable {name}", values);
    }

    // Highest priority first: the last profile, ..., the first profile, then parameters.json.
    private List<(string File, Dictionary<string, JsonElement> Values)> LoadParameterFiles(IReadOnlyList<ParameterMember> parameters, List<string> errors)
    {
        var names = new List<string> { "parameters.json" };
        names.AddRange(profiles.Select(p => $"parameters.{p}.json"));
        var result = new List<(string, Dictionary<string, JsonElement>)>();
        foreach (var name in names)
        {
            var path = Path.Combine(rootDirectory, ".nuke", name);
            var display = $".nuke/{name}";
            if (!File.Exists(path))
            {
                if (name != "parameters.json")
                    throw new UsageException($"Profile file '{display}' does not exist (named by --profile).");
                continue;
            }

            Dictionary<string, JsonElement> values;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    throw new UsageException($"{display}: expected a JSON object of parameter values.");
                values = document.RootElement.EnumerateObject()
                    .Where(p => p.Name != "$schema")
                    .ToDictionary(p => p.Name, p => p.Value.Clone());
            }
            catch (JsonException e)
            {
                throw new UsageException($"{display}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: invalid JSON: {e.Message}");
            }

            // A typo in a parameter file is as much an error as on the command line: "Vsu": 20 must not run 50 VUs quietly.
            var known = parameters.Select(p => p.Name).ToList();
            foreach (var key in values.Keys.Where(k => !known.Any(n => NameCase.Normalize(n) == NameCase.Normalize(k))))
            {
                var suggestion = Suggestions.Closest(key, known, NameCase.Normalize);
                errors.Add($"{display}: '{key}' is not a parameter of this build.{(suggestion is null ? " Run with --help to see the parameters." : $" Did you mean '{suggestion}'?")}");
            }

            result.Insert(0, (display, values));
        }

        return result;
    }

    private static IReadOnlyList<string> ToStrings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray().SelectMany(ToStrings).ToList(),
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.True => ["true"],
        JsonValueKind.False => ["false"],
        _ => [element.GetRawText()],
    };
}
