using System.Diagnostics;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Build;

/// <summary>Runs a build: binds parameters, plans, applies skips and requirements, executes, and prints the summary.</summary>
public static class BuildRunner
{
    /// <summary>Runs the build and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(BuildHost build, BuildInvocation invocation, IReadOnlyList<string> defaultTargets)
    {
        var arguments = CommandLineArguments.Parse(invocation.Arguments);
        var verbosity = ReadVerbosity(arguments);
        var gitHub = new GitHubActionsContext(invocation.Environment);
        var host = arguments.Get("host")?.Values.FirstOrDefault();
        var onGitHub = host is null ? gitHub.IsRunning : NameCase.Normalize(host) == "githubactions";
        var output = new BuildOutput(invocation.Output, invocation.Masker, verbosity ?? Verbosity.Normal, onGitHub);
        Log.Output = output;
        try
        {
            if (verbosity is null)
                throw new UsageException($"Invalid value for '--verbosity': expected one of quiet, minimal, normal, verbose.");
            return RunCore(build, invocation, arguments, output, gitHub, defaultTargets);
        }
        catch (ExitCodeException e)
        {
            foreach (var line in e.Message.Split(Environment.NewLine))
                output.Write(LogLevel.Error, line);
            output.Writer.Flush();
            return e.ExitCode;
        }
    }

    private static int RunCore(BuildHost build, BuildInvocation invocation, CommandLineArguments arguments, BuildOutput output,
        GitHubActionsContext gitHub, IReadOnlyList<string> defaultTargets)
    {
        build.RootDirectory = FindRoot(arguments, invocation.WorkingDirectory);
        build.EnvironmentVariables = invocation.Environment;
        build.GitHubActions = gitHub;
        build.Secrets = invocation.Masker;
        build.Cancellation = invocation.Cancellation;
        invocation.Masker.Add(gitHub.Token);
        if (!arguments.Has("no-logo") && !arguments.Has("help"))
            WriteLogo(output);

        var parameters = ParameterMember.FindAll(build);
        var profiles = arguments.Get("profile")?.Values ?? [];
        var binder = new ParameterBinder(arguments, invocation.Environment, build.RootDirectory, profiles);
        try
        {
            binder.Bind(build, parameters, invocation.Masker);
        }
        finally
        {
            foreach (var warning in binder.Warnings)
                output.Write(LogLevel.Warning, warning);
        }

        WriteSchema(build.RootDirectory, parameters, output);
        var targets = TargetFactory.Create(build);
        var defaults = ExecutionPlanner.Resolve(targets, defaultTargets);
        var requested = arguments.Positional.Concat(arguments.Get("target")?.Values.SelectMany(v => v.Split('+')) ?? []).ToList();
        if (arguments.Has("help"))
        {
            output.WriteRaw(HelpText.Render(targets, defaults, parameters));
            return ExitCodes.Success;
        }

        var invoked = requested.Count > 0 ? ExecutionPlanner.Resolve(targets, requested) : defaults;
        if (invoked.Count == 0)
        {
            output.WriteRaw(HelpText.Render(targets, defaults, parameters));
            return ExitCodes.Usage;
        }

        foreach (var target in invoked)
            target.Invoked = true;
        var plan = ExecutionPlanner.Plan(targets, invoked);
        build.InvokedTargets = invoked;
        build.ExecutionPlan = plan;
        ApplySkips(plan, targets, arguments);
        ApplyStaticConditions(plan);

        if (arguments.Has("plan"))
        {
            output.WriteRaw(PlanWriter.RenderText(plan));
            var file = build.TemporaryDirectory / "execution-plan.html";
            Directory.CreateDirectory(build.TemporaryDirectory);
            File.WriteAllText(file, PlanWriter.RenderHtml(targets, plan));
            output.WriteRaw($"Mermaid graph: {file.RelativeTo(build.RootDirectory)}");
            return ExitCodes.Success;
        }

        CheckRequirements(plan);
        GenerateConfigurations(build, targets, output);
        build.OnBuildInitialized();
        var exitCode = Execute(build, plan, output, invocation.Cancellation);
        build.OnBuildFinished();
        WriteSummary(build, plan, output, exitCode == ExitCodes.Success);
        return exitCode;
    }

    private static int Execute(BuildHost build, IReadOnlyList<ExecutableTarget> plan, BuildOutput output, CancellationToken cancellation)
    {
        int? exitCode = null;
        var stopped = false;
        foreach (var target in plan)
        {
            if (target.Status == TargetStatus.Skipped)
                continue;
            var interrupted = cancellation.IsCancellationRequested;
            if ((stopped || interrupted) && !target.Definition.IsAssuredAfterFailure)
            {
                target.Status = TargetStatus.NotRun;
                continue;
            }

            var failedCondition = target.Definition.DynamicConditions.FirstOrDefault(c => !c.Evaluate());
            if (failedCondition is not null)
            {
                target.Status = TargetStatus.Skipped;
                target.SkipReason = failedCondition.Text;
                output.Write(LogLevel.Information, $"Skipping target '{target.Name}': {failedCondition.Text}");
                continue;
            }

            output.BeginTarget(target.Name);
            build.SetCurrentTarget(target);
            var stopwatch = Stopwatch.StartNew();
            try
            {
                // An assured target that runs after an interrupt gets a live token: it exists to clean up.
                var token = interrupted ? CancellationToken.None : cancellation;
                foreach (var action in target.Definition.Actions)
                    action(token).GetAwaiter().GetResult();
                // A target that stopped on Ctrl+C and returned what it had (LoadTest keeps its partial run) was aborted.
                if (!interrupted && cancellation.IsCancellationRequested)
                {
                    target.Status = TargetStatus.Aborted;
                    target.SummaryNotes["Interrupted"] = "Ctrl+C or SIGTERM; what it finished is kept";
                }
                else
                {
                    target.Status = TargetStatus.Succeeded;
                }
            }
            catch (Exception e) when (e is OperationCanceledException && cancellation.IsCancellationRequested)
            {
                target.Status = TargetStatus.Aborted;
                target.SummaryNotes["Interrupted"] = "Ctrl+C or SIGTERM";
                output.Write(LogLevel.Error, $"Target '{target.Name}' was interrupted.");
            }
            catch (Exception e)
            {
                var exception = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;
                target.Status = TargetStatus.Failed;
                target.SummaryNotes.TryAdd(exception.GetType().Name, FirstLine(exception.Message));
                output.Write(LogLevel.Error, $"Target '{target.Name}' failed: {exception.Message}");
                if (exception is not ExitCodeException)
                    output.Write(LogLevel.Debug, exception.ToString());
                exitCode ??= exception is ExitCodeException coded ? coded.ExitCode : ExitCodes.Failure;
                if (!target.Definition.IsProceedAfterFailure)
                    stopped = true;
            }
            finally
            {
                target.Duration = stopwatch.Elapsed;
                build.SetCurrentTarget(null);
                output.EndTarget();
            }
        }

        if (cancellation.IsCancellationRequested)
            return ExitCodes.Interrupted;
        return exitCode ?? ExitCodes.Success;
    }

    private static void ApplySkips(IReadOnlyList<ExecutableTarget> plan, IReadOnlyList<ExecutableTarget> targets, CommandLineArguments arguments)
    {
        if (arguments.Get("skip") is not { } skip)
            return;
        var named = ExecutionPlanner.Resolve(targets, skip.Values.SelectMany(v => v.Split('+', ',')));
        foreach (var target in plan.Where(t => !t.Invoked && (named.Count == 0 || named.Contains(t))))
        {
            target.Status = TargetStatus.Skipped;
            target.SkipReason = "--skip";
        }
    }

    private static void ApplyStaticConditions(IReadOnlyList<ExecutableTarget> plan)
    {
        var skippedByCondition = new List<ExecutableTarget>();
        foreach (var target in plan.Where(t => t.Status != TargetStatus.Skipped))
        {
            var failed = target.Definition.StaticConditions.FirstOrDefault(c => !c.Evaluate());
            if (failed is null)
                continue;
            target.Status = TargetStatus.Skipped;
            target.SkipReason = failed.Text;
            skippedByCondition.Add(target);
        }

        // A skipped target's dependencies are skipped too, unless it asks otherwise, they were invoked,
        // or a target that still runs needs them. Repeat until nothing changes, for chains of dependencies.
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var skipped in skippedByCondition.ToList().Where(t => t.Definition.SkippedDependencyBehavior == DependencyBehavior.Skip))
            {
                foreach (var dependency in skipped.ExecutionDependencies.Where(d => plan.Contains(d) && d.Status != TargetStatus.Skipped && !d.Invoked))
                {
                    var neededElsewhere = plan.Any(t => t.Status != TargetStatus.Skipped && t.ExecutionDependencies.Contains(dependency));
                    if (neededElsewhere)
                        continue;
                    dependency.Status = TargetStatus.Skipped;
                    dependency.SkipReason = $"dependency of skipped '{skipped.Name}'";
                    skippedByCondition.Add(dependency);
                    changed = true;
                }
            }
        }
    }

    private static void CheckRequirements(IReadOnlyList<ExecutableTarget> plan)
    {
        var failures = plan
            .Where(t => t.Status != TargetStatus.Skipped)
            .SelectMany(t => t.Definition.Requirements.Where(r => !r.IsMet()).Select(r => $"Target '{t.Name}' {r.Message}."))
            .ToList();
        if (failures.Count > 0)
            throw new UsageException(string.Join(Environment.NewLine, failures));
    }

    private static void WriteSummary(BuildHost build, IReadOnlyList<ExecutableTarget> plan, BuildOutput output, bool succeeded)
    {
        output.WriteRaw();
        if (output.Problems.Count > 0 && !output.IsGitHubActions)
        {
            output.WriteRaw("Errors & Warnings");
            foreach (var (level, message) in output.Problems)
                output.WriteRaw($"{(level == LogLevel.Error ? "[ERR]" : "[WRN]")} {message}");
            output.WriteRaw();
        }

        if (output.Verbosity >= Verbosity.Minimal)
            output.WriteRaw(SummaryTable.Render(plan, succeeded, DateTimeOffset.Now));
        foreach (var line in build.ClosingLines)
            output.WriteRaw(line);
        if (build.GitHubActions.StepSummaryFile is { } file)
        {
            try
            {
                File.AppendAllText(file, build.Secrets.Apply(SummaryTable.RenderMarkdown(plan, succeeded)) + Environment.NewLine);
            }
            catch (IOException e)
            {
                output.Write(LogLevel.Warning, $"Could not append the summary to GITHUB_STEP_SUMMARY ({file}): {e.Message}");
            }
        }

        output.Writer.Flush();
    }

    private static void WriteSchema(AbsolutePath root, IReadOnlyList<ParameterMember> parameters, BuildOutput output)
    {
        var folder = root / ".nuke";
        if (!Directory.Exists(folder))
            return;
        WriteIfChanged(folder / "build.schema.json", BuildSchemaWriter.Render(parameters), output);
    }

    private static void GenerateConfigurations(BuildHost build, IReadOnlyList<ExecutableTarget> targets, BuildOutput output)
    {
        foreach (var generator in build.GetType().GetCustomAttributes(true).OfType<IConfigurationGenerator>())
        {
            var configuration = generator.Generate(build.GetType(), targets);
            foreach (var warning in configuration.Warnings)
                output.Write(LogLevel.Debug, warning);
            if (build.IsServerBuild)
                continue;
            if (WriteIfChanged(build.RootDirectory / configuration.RelativePath, configuration.Content, output))
                output.Write(LogLevel.Warning, $"Configuration file {configuration.RelativePath} has changed; commit it with the build change.");
        }
    }

    private static bool WriteIfChanged(AbsolutePath path, string content, BuildOutput output)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path) == content)
                return false;
            Directory.CreateDirectory(path.Parent!);
            Zoptal.Perf.Core.IO.AtomicFile.WriteAllText(path, content);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Write(LogLevel.Debug, $"Could not write {path}: {e.Message}");
            return false;
        }
    }

    private static AbsolutePath FindRoot(CommandLineArguments arguments, string workingDirectory)
    {
        if (arguments.Get("root") is { } root)
        {
            var path = AbsolutePath.Create(root.Values.FirstOrDefault() ?? ".", workingDirectory);
            return Directory.Exists(path) ? path : throw new UsageException($"Invalid value '{root.Values[0]}' for '--root': the directory does not exist.");
        }

        for (var directory = new DirectoryInfo(workingDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, ".nuke")))
                return AbsolutePath.Create(directory.FullName);
        }

        return AbsolutePath.Create(workingDirectory);
    }

    private static Verbosity? ReadVerbosity(CommandLineArguments arguments)
    {
        if (arguments.Get("verbosity") is not { } argument)
            return Verbosity.Normal;
        var text = argument.Values.FirstOrDefault() ?? string.Empty;
        return Enum.GetValues<Verbosity>().Cast<Verbosity?>().FirstOrDefault(v => NameCase.Normalize(v.ToString()!) == NameCase.Normalize(text));
    }

    private static void WriteLogo(BuildOutput output)
    {
        if (output.Verbosity < Verbosity.Normal)
            return;
        output.WriteRaw("┌─┐┌─┐┌─┐┌┬┐┌─┐┬    ┌─┐┌─┐┬─┐┌─┐");
        output.WriteRaw("┌─┘│ │├─┘ │ ├─┤│    ├─┘├┤ ├┬┘├┤ ");
        output.WriteRaw("└─┘└─┘┴   ┴ ┴ ┴┴─┘o ┴  └─┘┴└─└  ");
        output.WriteRaw();
    }

    private static string FirstLine(string text) => text.Split('\n')[0].TrimEnd('\r');
}
