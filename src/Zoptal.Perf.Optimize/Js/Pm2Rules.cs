using System.Globalization;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Zoptal.Perf.Core;
using Zoptal.Perf.Optimize.Targets;

namespace Zoptal.Perf.Optimize.Js;

/// <summary>
/// PM2's ecosystem file against the target machine (PM2 counts the host's cores: Unitech/pm2#4347): instances from
/// the target's CPUs where the app already runs in cluster mode, <c>max_memory_restart</c> under each instance's share
/// of the target's memory (checked only every 30 s, so it must sit below the OOM killer), the V8 heap at about 70 % of
/// that share for apps node runs, and <c>UV_THREADPOOL_SIZE</c> for services that hash passwords. Cluster mode is never
/// added: only a stateless server survives it, which a file cannot show. Sizes need a known target, never the host's.
/// </summary>
public static partial class Pm2Rules
{
    private const string Link = "https://pm2.keymetrics.io/docs/usage/application-declaration/ (and shared/reference/postgres-and-configs.md §4)";

    public static IReadOnlyList<Finding> Check(string relativePath, JsConfig config, Target target)
    {
        Finding Create(string id, Severity severity, int? line, string title, string evidence, string recommendation, string link = Link) =>
            new(id, Area.Pm2, severity, relativePath, line, title, evidence, recommendation, link);
        if (JsConfig.Get(config.Exported, "apps")?.Value is not ArrayExpression apps)
            return [Create("pm2-unreadable", Severity.Info, null, "not read: no apps array in the exported object", "module.exports / export default has no apps: [...] this reader can follow", "nothing was changed")];

        var findings = new List<Finding>();
        var cpus = target.Cpus is { } c ? Math.Max(1, (int)Math.Floor(c.Value)) : (int?)null;
        var unsized = new List<string>();
        // Every app of the file shares the target's memory (python and bash apps too): sized per process of them all.
        var counts = apps.Elements.OfType<ObjectExpression>().Select(app => Processes(JsConfig.Get(app, "instances"), cpus)).ToList();
        var processes = counts.All(n => n is not null) ? counts.Sum(n => n!.Value) : (int?)null;
        foreach (var app in apps.Elements.OfType<ObjectExpression>())
        {
            var name = JsConfig.Get(app, "name")?.Value is StringLiteral { Value: var n } ? n : "app";
            var line = app.Location.Start.Line;
            var script = JsConfig.Get(app, "script")?.Value is StringLiteral { Value: var s } ? s : null;
            var interpreter = (JsConfig.Get(app, "interpreter") ?? JsConfig.Get(app, "exec_interpreter"))?.Value is StringLiteral { Value: var i } ? i : null;
            var runsNode = RunsNode(script, interpreter);
            var mode = JsConfig.Get(app, "exec_mode")?.Value is StringLiteral { Value: var m } ? m : null;
            var cluster = mode is not null && mode.Contains("cluster", StringComparison.Ordinal);
            var instancesProperty = JsConfig.Get(app, "instances");
            var countsHost = CountsHost(instancesProperty);
            var instances = Processes(instancesProperty, cpus);

            if (countsHost)
            {
                var finding = Create("pm2-instances", Severity.Warning, instancesProperty!.Location.Start.Line, $"{name}: instances {config.Source(instancesProperty.Value)} counts the host's cores",
                    $"PM2 counts os.cpus() (the host's cores), not the container's quota: in a 2-CPU container on a 48-core host, 'max' forks 48 processes; target: {target.Describe(postgres: false)}",
                    instances is { } known ? $"instances: {known}" : "a number of instances; set optimize.targets (cpus) for this file and Optimize writes it");
                if (instances is { } count && cluster)
                {
                    config.ReplaceValue(instancesProperty, count.ToString(CultureInfo.InvariantCulture));
                    finding = finding with { Evidence = finding.Evidence + $"; {count} from the target's CPUs" };
                }

                findings.Add(finding);
            }
            else if (!cluster && cpus is > 1 && instancesProperty is null && runsNode && LooksLikeServer(name, script, app))
            {
                findings.Add(Create("pm2-cluster", Severity.Info, line, $"{name}: one process on {cpus} CPUs",
                    $"fork mode uses one core of the target's {cpus}; {name} looks like an HTTP server (its name, script or PORT), but only a stateless one survives cluster mode (in-memory sessions, websockets without sticky sessions and in-process schedulers break)",
                    $"if it is stateless: exec_mode: 'cluster', instances: {cpus}"));
            }

            if (target.Memory is not { } memory || processes is null)
            {
                unsized.Add(name); // without the memory, or the number of processes sharing it, nothing can be sized
            }
            else
            {
                var share = memory.Value / 1048576 / Math.Max(1, processes.Value);
                var sharing = processes == 1 ? "the only process" : $"one of the {processes} processes of the file's {counts.Count} app{(counts.Count == 1 ? "" : "s")}";
                var restartMb = share * 85 / 100;
                var restart = JsConfig.Get(app, "max_memory_restart");
                var currentMb = restart?.Value is StringLiteral { Value: var r } ? ParseMb(r) : restart?.Value is NumericLiteral { Value: var b } ? (long)(b / 1048576) : null;
                if (currentMb is null || currentMb > share)
                {
                    findings.Add(Create("pm2-max-memory-restart", Severity.Warning, line, $"{name}: max_memory_restart {(currentMb is null ? "not set" : $"{currentMb}M")} → {restartMb}M",
                        $"{sharing}: {share} MiB each of the target's {memory.Value / 1048576} MiB ({memory.Source}); PM2 checks RSS every 30 s, so the restart must come well below the OOM killer (85 %)",
                        $"max_memory_restart: '{restartMb}M'"));
                    if (restart is null)
                        config.Add(app, "max_memory_restart", $"'{restartMb}M'");
                    else
                        config.ReplaceValue(restart, $"'{restartMb}M'");
                }

                // Under the app's own restart limit when it is lower (PM2 would restart it before V8 collects).
                var limit = currentMb is { } own && own <= share ? own : share;
                var heapMb = limit * 70 / 100;
                if (runsNode && JsConfig.Get(app, "node_args") is null && JsConfig.Get(app, "interpreter_args") is null)
                {
                    findings.Add(Create("pm2-heap", Severity.Info, line, $"{name}: V8 heap not sized",
                        $"V8 sizes its heap from the cgroup and ignores non-heap memory (nodejs/node#64646); 70 % of {(limit == share ? $"its {share} MiB share ({sharing})" : $"its max_memory_restart {limit}M")} is {heapMb} MiB",
                        $"node_args: '--max-old-space-size={heapMb}'"));
                    config.Add(app, "node_args", $"'--max-old-space-size={heapMb}'");
                }
            }

            var env = JsConfig.Get(app, "env")?.Value as ObjectExpression;
            if (runsNode && name.Contains("auth", StringComparison.OrdinalIgnoreCase) && JsConfig.Get(env, "UV_THREADPOOL_SIZE") is null)
            {
                findings.Add(Create("pm2-uv-threadpool", Severity.Info, line, $"{name}: UV_THREADPOOL_SIZE is the default 4",
                    "password hashing (pbkdf2, scrypt, bcrypt) runs on libuv's pool of 4 threads: logins queue behind each other under load",
                    "env: { UV_THREADPOOL_SIZE: '16' } (set before the process starts; at most 1024)", "https://docs.libuv.org/en/v1.x/threadpool.html"));
            }
        }

        if (unsized.Count > 0)
        {
            findings.Add(Create("pm2-target-unknown", Severity.Info, null, $"not sized: the memory of the machine {string.Join(", ", unsized)} run{(unsized.Count == 1 ? "s" : "")} on is unknown",
                $"max_memory_restart and the V8 heap depend on the target's memory ({target.Describe(postgres: false)}); Optimize never sizes for the machine it runs on",
                $"optimize.targets: [{{ files: [\"{relativePath}\"], cpus: 2, memory: 2GB }}], or limits on the compose service that builds this folder", "docs/optimize.md#targets"));
        }

        // The edits of the file, planned together, belong to the findings that asked for them.
        var edits = config.Edits();
        return [.. findings.Select(f => f.RuleId is "pm2-max-memory-restart" or "pm2-heap" || f.RuleId == "pm2-instances" && f.Evidence.Contains("from the target's CPUs", StringComparison.Ordinal) ? f with { Edits = edits } : f)];
    }

    // instances 'max' or 0 (every core), -1 (all but one), -N: counted by PM2 from os.cpus(), the host's cores.
    private static bool CountsHost(Property? instances) => Relative(instances) is not null;

    private static int? Relative(Property? instances) => instances?.Value switch
    {
        StringLiteral { Value: "max" } => 0,
        StringLiteral { Value: var text } when int.TryParse(text, CultureInfo.InvariantCulture, out var n) && n <= 0 => n,
        NumericLiteral { Value: <= 0 and var v } => (int)v,
        UnaryExpression { Argument: NumericLiteral { Value: var v } } unary when unary.Operator.ToString() == "UnaryNegation" => -(int)v,
        _ => null,
    };

    // The processes an app runs on a target of `cpus` cores: its instances, or what 'max' / -N come to there (at least 1).
    private static int? Processes(Property? instances, int? cpus)
    {
        if (Relative(instances) is { } relative)
            return cpus is { } n ? Math.Max(1, n + relative) : null;
        return instances?.Value switch
        {
            NumericLiteral { Value: > 0 and var v } => (int)v,
            StringLiteral { Value: var text } when int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 => parsed,
            _ => 1,
        };
    }

    // Apps node runs: PM2 picks the interpreter by extension (.py python, .sh bash, ...) and runs other files with
    // node; a bare command name (python3, npm) is a binary it executes. node_args go to node only.
    private static bool RunsNode(string? script, string? interpreter)
    {
        var file = script?.Split(' ')[0];
        if (file is null || Path.GetFileName(file) is "npm" or "yarn" or "pnpm" or "npx")
            return false;
        if (interpreter is not null)
            return interpreter is "node" or "nodejs" || interpreter.EndsWith("/node", StringComparison.Ordinal);
        var extension = Path.GetExtension(file).ToLowerInvariant();
        return extension is ".js" or ".cjs" or ".mjs" or ".jsx" || extension.Length == 0 && file.Contains('/', StringComparison.Ordinal);
    }

    private static bool LooksLikeServer(string name, string? script, ObjectExpression app)
    {
        if (JsConfig.Get(app, "cron_restart") is not null || JsConfig.Get(app, "autorestart")?.Value is BooleanLiteral { Value: false })
            return false;
        var words = $"{name} {script}".ToLowerInvariant();
        if (Regex.IsMatch(words, @"worker|cron|queue|job|bot|consumer|scheduler|task|sync"))
            return false;
        var env = JsConfig.Get(app, "env")?.Value as ObjectExpression;
        return JsConfig.Get(env, "PORT") is not null || Regex.IsMatch(words, @"server|api|web|app|gateway|service");
    }

    private static long? ParseMb(string value)
    {
        var text = value.Trim().ToUpperInvariant();
        var digits = new string([.. text.TakeWhile(char.IsDigit)]);
        if (!long.TryParse(digits, CultureInfo.InvariantCulture, out var number))
            return null;
        return text[digits.Length..] switch { "G" => number * 1024, "M" => number, "K" => number / 1024, "" => number / 1048576, _ => null };
    }
}
