using Zoptal.Perf.Core.Text;
namespace Zoptal.Build;

/// <summary>
/// The command line as Nuke reads it: leading words are targets; any token that starts with a dash and a letter
/// names an argument whose values follow it; a repeated argument's last occurrence wins.
/// </summary>
public sealed class CommandLineArguments
{
    private readonly Dictionary<string, NamedArgument> _named = new();

    private CommandLineArguments(List<string> positional) => Positional = positional;

    /// <summary>Words before the first named argument (targets).</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>Named arguments, by normalized name.</summary>
    public IReadOnlyCollection<NamedArgument> Named => _named.Values;

    /// <summary>Parses the arguments.</summary>
    public static CommandLineArguments Parse(IReadOnlyList<string> args)
    {
        var positional = new List<string>();
        var i = 0;
        for (; i < args.Count && !IsName(args[i]); i++)
            positional.Add(args[i]);

        var result = new CommandLineArguments(positional);
        while (i < args.Count)
        {
            var token = args[i++].TrimStart('-');
            var values = new List<string>();
            var equals = token.IndexOf('=');
            if (equals > 0)
            {
                values.Add(token[(equals + 1)..]);
                token = token[..equals];
            }

            for (; i < args.Count && !IsName(args[i]); i++)
                values.Add(args[i]);
            result._named[NameCase.Normalize(token)] = new NamedArgument(token, values);
        }

        return result;
    }

    /// <summary>The argument with this name (any spelling), or null.</summary>
    public NamedArgument? Get(string name) => _named.GetValueOrDefault(NameCase.Normalize(name));

    /// <summary>Whether the argument was given.</summary>
    public bool Has(string name) => _named.ContainsKey(NameCase.Normalize(name));

    private static bool IsName(string token) =>
        token.Length > 1 && token[0] == '-' && (char.IsLetter(token[1]) || (token.Length > 2 && token[1] == '-' && char.IsLetter(token[2])));
}

/// <summary>A named argument as written, with its values.</summary>
public sealed record NamedArgument(string Name, IReadOnlyList<string> Values);
