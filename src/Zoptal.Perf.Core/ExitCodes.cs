namespace Zoptal.Perf.Core;

/// <summary>The exit codes every target of Zoptal.Perf uses, so a pipeline can act on them.</summary>
public static class ExitCodes
{
    /// <summary>Everything ran and passed.</summary>
    public const int Success = 0;

    /// <summary>Any other failure (a service down, an I/O error, a bug).</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or configuration: the message names the file, line and column, or the parameter.</summary>
    public const int Usage = 2;

    /// <summary>A performance gate failed; results are still written (k6's code for failed thresholds).</summary>
    public const int GateFailed = 99;

    /// <summary>Interrupted by Ctrl+C or SIGTERM; finished results are kept and marked.</summary>
    public const int Interrupted = 130;
}

/// <summary>An error that decides the process's exit code.</summary>
public abstract class ExitCodeException(string message, int exitCode, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The exit code the build ends with.</summary>
    public int ExitCode { get; } = exitCode;
}

/// <summary>A performance gate failed: exit code 99, after everything was written.</summary>
public sealed class GateFailedException(string message) : ExitCodeException(message, ExitCodes.GateFailed);

/// <summary>A run could not go ahead or could not finish (a service down, the sample platform missing): exit code 1.</summary>
public sealed class RunFailedException(string message, Exception? inner = null) : ExitCodeException(message, ExitCodes.Failure, inner);

/// <summary>A parameter value that cannot be used: exit code 2, the message names the parameter.</summary>
public sealed class InvalidParameterException(string message) : ExitCodeException(message, ExitCodes.Usage);
