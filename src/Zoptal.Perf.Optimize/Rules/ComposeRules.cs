using YamlDotNet.RepresentationModel;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>
/// The Compose specification's resource and runtime keys per service: limits, health checks, an init process for
/// Node, log rotation, and a PostgreSQL container's /dev/shm. Reported with the line of the service; YAML is not
/// patched (a rewrite would lose its comments and layout).
/// </summary>
public static class ComposeRules
{
    private const string Spec = "https://github.com/compose-spec/compose-spec/blob/main/05-services.md";

    public static IReadOnlyList<Finding> Check(string relativePath, string text, long? recommendedSharedBuffersKb)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            return [new Finding("compose-unreadable", Area.Docker, Severity.Info, relativePath, (int)e.Start.Line, "not read: the YAML does not parse", e.Message, "fix the file; nothing was changed", Spec)];
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root || Child(root, "services") is not YamlMappingNode services)
            return [];
        var findings = new List<Finding>();
        foreach (var (key, value) in services.Children)
        {
            if (value is not YamlMappingNode service)
                continue;
            var name = ((YamlScalarNode)key).Value;
            var line = (int)key.Start.Line;
            var image = (Child(service, "image") as YamlScalarNode)?.Value ?? "";
            var limits = Child(Child(Child(service, "deploy"), "resources"), "limits");
            if (limits is null && Child(service, "mem_limit") is null && Child(service, "cpus") is null)
            {
                findings.Add(new Finding("compose-limits", Area.Docker, Severity.Warning, relativePath, line, $"{name}: no CPU or memory limit",
                    "neither deploy.resources.limits nor mem_limit/cpus: one busy service can starve the others, and PM2 and Node size themselves from the host",
                    "deploy.resources.limits: { cpus: '1', memory: 512M }", Spec));
            }

            if (Child(service, "healthcheck") is null)
                findings.Add(new Finding("compose-healthcheck", Area.Docker, Severity.Info, relativePath, line, $"{name}: no healthcheck", "depends_on cannot wait for readiness, restarts cannot see a hung process", "healthcheck: { test: [CMD, wget, -qO-, http://127.0.0.1:3000/health], interval: 10s }", Spec));
            var node = image.StartsWith("node", StringComparison.Ordinal) || Child(service, "build") is not null;
            if (node && (Child(service, "init") as YamlScalarNode)?.Value != "true")
                findings.Add(new Finding("compose-init", Area.Docker, Severity.Info, relativePath, line, $"{name}: no init process", "Node is not designed to run as PID 1", "init: true", Spec));
            if (Child(Child(service, "logging"), "options") is not YamlMappingNode options || Child(options, "max-size") is null)
            {
                findings.Add(new Finding("compose-log-rotation", Area.Docker, Severity.Warning, relativePath, line, $"{name}: logs are never rotated",
                    "the json-file driver's max-size defaults to -1: the log grows until the disk is full", "logging: { driver: local } or options: { max-size: 10m, max-file: '3' }",
                    "https://docs.docker.com/engine/logging/drivers/json-file/"));
            }

            if (image.StartsWith("postgres", StringComparison.Ordinal))
            {
                var shm = (Child(service, "shm_size") as YamlScalarNode)?.Value;
                var shmKb = shm is null ? 64 * 1024 : PgTune.ToKb(shm.ToUpperInvariant().Replace("M", "MB", StringComparison.Ordinal).Replace("G", "GB", StringComparison.Ordinal).Replace("BB", "B", StringComparison.Ordinal)) ?? 64 * 1024;
                if (recommendedSharedBuffersKb is { } wanted && shmKb < wanted)
                {
                    findings.Add(new Finding("compose-postgres-shm", Area.Docker, Severity.Warning, relativePath, line, $"{name}: /dev/shm {PgTune.Format(shmKb)} is below shared_buffers {PgTune.Format(wanted)}",
                        "Docker's default /dev/shm is 64MB, which breaks parallel queries (docker-library/postgres#416)", $"shm_size: {PgTune.Format(wanted)}", "https://github.com/docker-library/postgres/issues/416"));
                }
            }
        }

        return findings;
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
