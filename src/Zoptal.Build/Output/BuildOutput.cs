using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Build;

/// <summary>
/// Where a build writes: the console through the secret mask, with GitHub Actions groups and annotations when the
/// build runs there, and a record of warnings and errors for the replay before the summary.
/// </summary>
public sealed class BuildOutput
{
    private readonly List<(LogLevel Level, string Message)> _problems = [];

    /// <summary>Creates an output over a writer.</summary>
    public BuildOutput(TextWriter writer, SecretMasker masker, Verbosity verbosity, bool gitHubActions)
    {
        Masker = masker;
        Writer = writer as MaskingTextWriter ?? new MaskingTextWriter(writer, masker);
        Verbosity = verbosity;
        IsGitHubActions = gitHubActions;
    }

    /// <summary>The masked writer.</summary>
    public TextWriter Writer { get; }

    /// <summary>The secrets to mask.</summary>
    public SecretMasker Masker { get; }

    /// <summary>The verbosity in force.</summary>
    public Verbosity Verbosity { get; set; }

    /// <summary>Whether output goes to GitHub Actions (groups, annotations).</summary>
    public bool IsGitHubActions { get; }

    /// <summary>Warnings and errors so far.</summary>
    public IReadOnlyList<(LogLevel Level, string Message)> Problems => _problems;

    /// <summary>Writes a message at a level.</summary>
    public void Write(LogLevel level, string message)
    {
        message = Masker.Apply(message);
        if (level >= LogLevel.Warning)
        {
            lock (_problems)
                _problems.Add((level, message));
        }

        if (!IsShown(level))
            return;
        if (IsGitHubActions && level >= LogLevel.Warning)
        {
            Writer.WriteLine($"::{(level == LogLevel.Error ? "error" : "warning")}::{EscapeAnnotation(message)}");
            return;
        }

        Writer.WriteLine(level switch
        {
            LogLevel.Warning => $"[WRN] {message}",
            LogLevel.Error => $"[ERR] {message}",
            LogLevel.Debug => $"[DBG] {message}",
            _ => message,
        });
    }

    /// <summary>Writes a line regardless of level (tables, help).</summary>
    public void WriteRaw(string text = "") => Writer.WriteLine(text);

    /// <summary>Opens a target's section (a <c>::group::</c> on GitHub Actions).</summary>
    public void BeginTarget(string name)
    {
        if (IsGitHubActions)
        {
            Writer.WriteLine($"::group::{name}");
            return;
        }

        if (Verbosity < Verbosity.Normal)
            return;
        Writer.WriteLine();
        Writer.WriteLine("╬" + new string('═', Math.Max(name.Length + 4, 12)));
        Writer.WriteLine($"║ {name}");
        Writer.WriteLine("╬═══");
        Writer.WriteLine();
    }

    /// <summary>Closes a target's section.</summary>
    public void EndTarget()
    {
        if (IsGitHubActions)
            Writer.WriteLine("::endgroup::");
        Writer.Flush();
    }

    /// <summary>Escapes a message for a workflow command, as GitHub's toolkit does.</summary>
    public static string EscapeAnnotation(string message) =>
        message.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    private bool IsShown(LogLevel level) => level switch
    {
        LogLevel.Error => true,
        LogLevel.Warning => Verbosity >= Verbosity.Minimal,
        LogLevel.Information => Verbosity >= Verbosity.Normal,
        _ => Verbosity >= Verbosity.Verbose,
    };
}

/// <summary>The log of the running build: <c>Log.Information("...")</c> from any target.</summary>
public static class Log
{
    private static readonly AsyncLocal<BuildOutput?> CurrentOutput = new();
    private static readonly Lazy<BuildOutput> Fallback = new(() => new BuildOutput(Console.Out, SecretMasker.Shared, Verbosity.Normal, false));

    /// <summary>The output of the build running in this flow.</summary>
    public static BuildOutput Output
    {
        get => CurrentOutput.Value ?? Fallback.Value;
        internal set => CurrentOutput.Value = value;
    }

    /// <summary>A debug message.</summary>
    public static void Debug(string message) => Output.Write(LogLevel.Debug, message);

    /// <summary>An informational message.</summary>
    public static void Information(string message) => Output.Write(LogLevel.Information, message);

    /// <summary>A warning, replayed before the summary.</summary>
    public static void Warning(string message) => Output.Write(LogLevel.Warning, message);

    /// <summary>An error, replayed before the summary.</summary>
    public static void Error(string message) => Output.Write(LogLevel.Error, message);
}
