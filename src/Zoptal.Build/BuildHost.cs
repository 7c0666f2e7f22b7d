using System.Linq.Expressions;
using System.Runtime.InteropServices;
using Zoptal.Perf.Core.Secrets;

namespace Zoptal.Build;

/// <summary>
/// The base of a build: targets are its <see cref="Target"/> properties, parameters its <see cref="ParameterAttribute"/>
/// members. <c>public static int Main() =&gt; Execute&lt;Build&gt;(x =&gt; x.Compile);</c> runs it.
/// </summary>
public abstract class BuildHost
{
    private ExecutableTarget? _currentTarget;

    /// <summary>The root: <c>--root</c>, or the nearest folder up from the working directory that has <c>.nuke/</c>.</summary>
    public AbsolutePath RootDirectory { get; internal set; } = AbsolutePath.Create(Directory.GetCurrentDirectory());

    /// <summary><c>.nuke/temp</c>: caches, the plan, the local SDK. Ignored by git.</summary>
    public AbsolutePath TemporaryDirectory => RootDirectory / ".nuke" / "temp";

    /// <summary>Fires on Ctrl+C and SIGTERM; pass it to everything that waits.</summary>
    public CancellationToken Cancellation { get; internal set; }

    /// <summary>The targets that run, in order.</summary>
    public IReadOnlyList<ExecutableTarget> ExecutionPlan { get; internal set; } = [];

    /// <summary>The targets named on the command line, or the default ones.</summary>
    public IReadOnlyList<ExecutableTarget> InvokedTargets { get; internal set; } = [];

    /// <summary>The environment the build was started with.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables { get; internal set; } = new Dictionary<string, string>();

    /// <summary>GitHub Actions' context (check <see cref="GitHubActionsContext.IsRunning"/>).</summary>
    public GitHubActionsContext GitHubActions { get; internal set; } = new(new Dictionary<string, string>());

    /// <summary>True on a CI server (<c>CI</c> or <c>GITHUB_ACTIONS</c> set).</summary>
    public bool IsServerBuild => GitHubActions.IsRunning || EnvironmentVariables.ContainsKey("CI");

    /// <summary>The secrets masked in all output.</summary>
    public SecretMasker Secrets { get; internal set; } = SecretMasker.Shared;

    /// <summary>Adds a <c>// Key: Value</c> note to the running target's line in the summary.</summary>
    public void ReportSummary(string key, string value)
    {
        if (_currentTarget is { } target)
            target.SummaryNotes[key] = Secrets.Apply(value);
    }

    /// <summary>Lines printed after the summary table, as the build's very last output (such as a test count CI reads).</summary>
    public List<string> ClosingLines { get; } = [];

    internal void SetCurrentTarget(ExecutableTarget? target) => _currentTarget = target;

    /// <summary>Called after parameters are bound, before the plan runs.</summary>
    protected internal virtual void OnBuildInitialized()
    {
    }

    /// <summary>Called after every target ran, before the summary.</summary>
    protected internal virtual void OnBuildFinished()
    {
    }

    /// <summary>Runs the build with the process's arguments and environment; returns the exit code.</summary>
    public static int Execute<T>(params Expression<Func<T, Target>>[] defaultTargets) where T : BuildHost, new()
    {
        var masker = SecretMasker.Shared;
        var stdout = new MaskingTextWriter(Console.Out, masker);
        Console.SetOut(stdout);
        Console.SetError(new MaskingTextWriter(Console.Error, masker));
        using var cancellation = new CancellationTokenSource();
        var interrupts = 0;
        void OnSignal(PosixSignalContext context)
        {
            // The first signal cancels the running target and lets assured targets run; a second one ends the process.
            if (Interlocked.Increment(ref interrupts) == 1)
            {
                context.Cancel = true;
                cancellation.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var invocation = new BuildInvocation(
            Environment.GetCommandLineArgs().Skip(1).ToList(),
            Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty),
            Directory.GetCurrentDirectory(),
            stdout,
            masker,
            cancellation.Token);
        var names = defaultTargets.Select(d => ((MemberExpression)d.Body).Member.Name).ToList();
        var exitCode = BuildRunner.Run(new T(), invocation, names);
        stdout.Flush();
        return exitCode;
    }
}

/// <summary>Everything a build run takes from its process; tests build one in memory.</summary>
public sealed record BuildInvocation(
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    TextWriter Output,
    SecretMasker Masker,
    CancellationToken Cancellation);
