namespace Zoptal.Perf.Core.Configuration;

/// <summary>One problem in a config file, at a 1-based line and column.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Path, string Message, string? Hint = null)
{
    /// <summary><c>perf-config.yml:12:5: services[1].baseUrl: message (hint: ...)</c>.</summary>
    public override string ToString() =>
        $"{File}:{Line}:{Column}: {(Path.Length > 0 ? Path + ": " : string.Empty)}{Message}{(Hint is null ? string.Empty : $" (hint: {Hint})")}";
}

/// <summary>A config that does not load: every error at once. Exit code 2.</summary>
public sealed class ConfigurationException(IReadOnlyList<ConfigError> errors)
    : ExitCodeException(Describe(errors), ExitCodes.Usage)
{
    /// <summary>The errors, in file order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    /// <summary>How many errors the message lists; the rest are counted ("and 446,143 more").</summary>
    public const int Shown = 20;

    private static string Describe(IReadOnlyList<ConfigError> errors) =>
        $"{errors.Count:N0} error{(errors.Count == 1 ? string.Empty : "s")} in {errors[0].File}:{Environment.NewLine}" +
        string.Join(Environment.NewLine, errors.Take(Shown).Select(e => "  " + e)) +
        (errors.Count > Shown ? $"{Environment.NewLine}  and {errors.Count - Shown:N0} more" : string.Empty);
}
