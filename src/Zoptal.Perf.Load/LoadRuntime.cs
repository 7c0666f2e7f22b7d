namespace Zoptal.Perf.Load;

/// <summary>Process-wide settings the load generator is measured with.</summary>
public static class LoadRuntime
{
    /// <summary>The variable .NET's socket layer reads, once, when the first socket is opened.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Runs socket completions on the I/O threads instead of hopping to the thread pool, as wrk's event loop does:
    /// about a third more requests per second from a bare HttpClient loop on two cores (docs/benchmarks.md).
    /// Call it at the start of the generator's process, before anything opens a socket; returns false when it was
    /// already decided otherwise by the environment.
    /// </summary>
    public static bool UseInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is { Length: > 0 } value)
            return value == "1";
        Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        return true;
    }
}
