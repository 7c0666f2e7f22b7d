using System.Text;

namespace Zoptal.Perf.Core.Configuration;

/// <summary>
/// <c>${NAME}</c> and <c>${NAME:-default}</c> from the environment, as Docker Compose writes them; <c>$$</c> is a literal <c>$</c>.
/// </summary>
public static class Interpolation
{
    /// <summary>The result: the text, the variables it used with the values they gave, or an error with its 0-based offset in the text.</summary>
    public sealed record Result(string Value, IReadOnlyList<(string Name, string Value)> Variables, string? Error, int ErrorOffset, string? Hint);

    /// <summary>Interpolates a value.</summary>
    public static Result Apply(string text, IReadOnlyDictionary<string, string> environment)
    {
        if (!text.Contains('$'))
            return new Result(text, [], null, 0, null);
        var builder = new StringBuilder(text.Length);
        var variables = new List<(string Name, string Value)>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$')
            {
                builder.Append(text[i]);
                continue;
            }

            if (i + 1 < text.Length && text[i + 1] == '$')
            {
                builder.Append('$');
                i++;
                continue;
            }

            if (i + 1 >= text.Length || text[i + 1] != '{')
            {
                builder.Append('$');
                continue;
            }

            var end = text.IndexOf('}', i + 2);
            if (end < 0)
                return new Result(text, variables, "'${' is not closed", i, "write ${NAME} or ${NAME:-default}; $$ is a literal $");
            var body = text[(i + 2)..end];
            var separator = body.IndexOf(":-", StringComparison.Ordinal);
            var name = separator < 0 ? body : body[..separator];
            if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                return new Result(text, variables, $"'{name}' is not an environment variable name", i, "names are letters, digits and _, not starting with a digit");
            if (environment.TryGetValue(name, out var value) && (separator < 0 || value.Length > 0))
            {
                builder.Append(value);
                variables.Add((name, value));
            }
            else if (separator >= 0)
                builder.Append(body[(separator + 2)..]);
            else
                return new Result(text, variables, $"environment variable '{name}' is not set", i, $"set it, or give a default: ${{{name}:-value}}");
            i = end;
        }

        return new Result(builder.ToString(), variables, null, 0, null);
    }
}
