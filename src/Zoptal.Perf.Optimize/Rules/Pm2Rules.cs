using System.Globalization;
using Acornima.Ast;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>
/// PM2's ecosystem file against the container's limits (PM2 counts the host's cores: Unitech/pm2#4347): cluster mode
/// with instances from the CPU quota, <c>max_memory_restart</c> under each instance's share of the memory limit
/// (checked only every 30 s, so it must sit below the OOM killer), the V8 heap at about 70 % of that share, and
/// <c>UV_THREADPOOL_SIZE</c> for services that hash passwords or do heavy file work.
/// </summary>
public static class Pm2Rules
{
    private const string Link = "https://pm2.keymetrics.io/docs/usage/application-declaration/ (and shared/reference/postgres-and-configs.md §4)";

    public static IReadOnlyList<Finding> Check(string relativePath, string text, Limits limits)
    {
        var config = JsConfig.Parse(text, relativePath.EndsWith(".mjs", StringComparison.Ordinal), out var error);
        if (config is null)
            return [new Finding("pm2-unreadable", Area.Pm2, Severity.Info, relativePath, null, "not read: the file does not parse", error!, "fix the file; nothing was changed", Link)];
        if (JsConfig.Get(config.Exported, "apps")?.Value is not ArrayExpression apps)
            return [new Finding("pm2-unreadable", Area.Pm2, Severity.Info, relativePath, null, "not read: no apps array in module.exports", "the file exports something Optimize cannot follow", "nothing was changed", Link)];

        var findings = new List<Finding>();
        var cores = Math.Max(1, (int)Math.Floor(limits.Cpus));
        var appObjects = apps.Elements.OfType<ObjectExpression>().ToList();
        foreach (var app in appObjects)
        {
            var name = JsConfig.Get(app, "name")?.Value is StringLiteral { Value: var n } ? n : "app";
            var line = app.Location.Start.Line;
            var instancesProperty = JsConfig.Get(app, "instances");
            var instances = instancesProperty?.Value switch
            {
                NumericLiteral { Value: var v } when v > 0 => (int)v,
                NumericLiteral { Value: var v } when v < 0 => Math.Max(1, Environment.ProcessorCount + (int)v),
                StringLiteral { Value: "max" } or NumericLiteral { Value: 0 } => Environment.ProcessorCount,
                null => 1,
                _ => 1,
            };
            var counted = instancesProperty?.Value is StringLiteral { Value: "max" } or NumericLiteral { Value: <= 0 };
            if (counted || (instancesProperty is null && cores > 1))
            {
                findings.Add(new Finding("pm2-instances", Area.Pm2, Severity.Warning, relativePath, line, $"{name}: instances {(instancesProperty is null ? "not set (1)" : config.Source(instancesProperty.Value))} → {cores}",
                    $"PM2 counts os.cpus() ({Environment.ProcessorCount} here), not the container's quota: {limits.Cpus:0.##} CPUs ({limits.Source})",
                    $"instances: {cores}, exec_mode: 'cluster'", Link));
                if (instancesProperty is null)
                    config.Add(app, "instances", cores.ToString(CultureInfo.InvariantCulture));
                else
                    config.Replace(instancesProperty.Value, cores.ToString(CultureInfo.InvariantCulture));
                instances = cores;
                if (JsConfig.Get(app, "exec_mode") is null && cores > 1)
                    config.Add(app, "exec_mode", "'cluster'");
            }

            var shareMb = limits.MemoryBytes / 1048576 / Math.Max(1, instances);
            var restartMb = shareMb * 85 / 100;
            var restart = JsConfig.Get(app, "max_memory_restart");
            var currentRestartMb = restart?.Value is StringLiteral { Value: var r } ? ParseMb(r) : restart?.Value is NumericLiteral { Value: var b } ? (long)(b / 1048576) : null;
            if (currentRestartMb is null || currentRestartMb > shareMb)
            {
                findings.Add(new Finding("pm2-max-memory-restart", Area.Pm2, Severity.Warning, relativePath, line, $"{name}: max_memory_restart {(currentRestartMb is null ? "not set" : $"{currentRestartMb}M")} → {restartMb}M",
                    $"each of {instances} instances has {shareMb} MiB of the {limits.MemoryBytes / 1048576} MiB limit; PM2 checks RSS every 30 s, so the restart must come well below the OOM killer (85 %)",
                    $"max_memory_restart: '{restartMb}M'", Link));
                if (restart is null)
                    config.Add(app, "max_memory_restart", $"'{restartMb}M'");
                else
                    config.Replace(restart.Value, $"'{restartMb}M'");
            }

            var heapMb = shareMb * 70 / 100;
            var nodeArgs = JsConfig.Get(app, "node_args");
            if (nodeArgs is null)
            {
                findings.Add(new Finding("pm2-heap", Area.Pm2, Severity.Info, relativePath, line, $"{name}: V8 heap not sized",
                    $"V8 sizes its heap from the cgroup and ignores non-heap memory (nodejs/node#64646); 70 % of the {shareMb} MiB share is {heapMb} MiB",
                    $"node_args: '--max-old-space-size={heapMb}'", Link));
                config.Add(app, "node_args", $"'--max-old-space-size={heapMb}'");
            }

            var env = JsConfig.Get(app, "env")?.Value as ObjectExpression;
            if (name.Contains("auth", StringComparison.OrdinalIgnoreCase) && JsConfig.Get(env, "UV_THREADPOOL_SIZE") is null)
            {
                findings.Add(new Finding("pm2-uv-threadpool", Area.Pm2, Severity.Info, relativePath, line, $"{name}: UV_THREADPOOL_SIZE is the default 4",
                    "password hashing (pbkdf2, scrypt, bcrypt) runs on libuv's pool of 4 threads: logins queue behind each other under load",
                    "env: { UV_THREADPOOL_SIZE: '16' } (set before the process starts; at most 1024)", "https://docs.libuv.org/en/v1.x/threadpool.html"));
            }
        }

        var patched = config.Apply();
        var patch = patched == text ? null : new FilePatch(relativePath, text, patched);
        return [.. findings.Select(f => f.RuleId is "pm2-instances" or "pm2-max-memory-restart" or "pm2-heap" ? f with { Patch = patch } : f)];
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
