namespace Zoptal.Build;

/// <summary>How much the build prints (<c>--verbosity</c>).</summary>
public enum Verbosity
{
    /// <summary>Errors only.</summary>
    Quiet,

    /// <summary>Errors and warnings.</summary>
    Minimal,

    /// <summary>Plus information (the default).</summary>
    Normal,

    /// <summary>Plus debug messages.</summary>
    Verbose,
}

/// <summary>The level of one log message.</summary>
public enum LogLevel
{
    /// <summary>Shown with <c>--verbosity verbose</c>.</summary>
    Debug,

    /// <summary>Shown by default.</summary>
    Information,

    /// <summary>Replayed before the summary; a <c>::warning::</c> on GitHub Actions.</summary>
    Warning,

    /// <summary>Replayed before the summary; an <c>::error::</c> on GitHub Actions.</summary>
    Error,
}
