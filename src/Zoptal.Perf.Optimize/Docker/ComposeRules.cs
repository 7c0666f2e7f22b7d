using System.Globalization;
using YamlDotNet.RepresentationModel;
using Zoptal.Perf.Core;
using Zoptal.Perf.Optimize.Postgres;

namespace Zoptal.Perf.Optimize.Docker;

/// <summary>
/// The Compose specification's resource and runtime keys per service, read after merge keys and <c>extends</c>:
/// limits, health checks, an init process for Node services, log rotation of the json-file driver, and a PostgreSQL
/// container's /dev/shm. Reported at the service's line; YAML is not patched (a rewrite would lose its comments and layout).
/// </summary>
public static class ComposeRules
{
    private const string Spec = "https://github.com/compose-spec/compose-spec/blob/main/05-services.md";

    /// <summary>Logging drivers that keep no unbounded file on the host (local rotates by default).</summary>
    private static readonly HashSet<string> RotatedDrivers = ["local", "none", "journald", "syslog", "gelf", "fluentd", "awslogs", "splunk", "etwlogs", "gcplogs", "logentries"];

    public static IReadOnlyList<Finding> Check(string relativePath, IReadOnlyList<ComposeService> services, Func<ComposeService, bool?> isNode)
    {
        var findings = new List<Finding>();
        foreach (var service in services)
        {
            Finding Create(string id, Severity severity, string title, string evidence, string recommendation, string link = Spec) =>
                new(id, Area.Docker, severity, relativePath, service.Line, $"{service.Name}: {title}", evidence, recommendation, link);
            var node = service.Node;
            if (service.MemoryLimit is null && service.CpuLimit is null)
            {
                findings.Add(Create("compose-limits", Severity.Warning, "no CPU or memory limit",
                    "neither deploy.resources.limits nor mem_limit/cpus (after merge keys and extends): one busy service can starve the others, and PM2, Node and PostgreSQL size themselves from the host",
                    "deploy.resources.limits: { cpus: '1', memory: 512M }"));
            }

            if (ComposeService.Child(node, "healthcheck") is null && !DockerfileHasHealthcheck(service))
            {
                findings.Add(Create("compose-healthcheck", Severity.Info, "no healthcheck",
                    "no healthcheck here or in its image's Dockerfile: depends_on cannot wait for readiness, restarts cannot see a hung process",
                    "healthcheck: { test: [CMD, wget, -qO-, http://127.0.0.1:3000/health], interval: 10s }"));
            }

            if (isNode(service) == true && ComposeService.Scalar(node, "init") is not ("true" or "True" or "yes"))
                findings.Add(Create("compose-init", Severity.Info, "no init process", "a Node service: Node is not designed to run as PID 1 (it neither reaps zombies nor forwards signals)", "init: true"));

            var logging = ComposeService.Child(node, "logging");
            var driver = ComposeService.Scalar(logging, "driver") ?? "json-file";
            if (!RotatedDrivers.Contains(driver) && ComposeService.Scalar(ComposeService.Child(logging, "options"), "max-size") is null)
            {
                findings.Add(Create("compose-log-rotation", Severity.Warning, "logs are never rotated",
                    $"the {driver} driver's max-size defaults to -1 (unless the daemon's daemon.json sets log-opts): the log grows until the disk is full",
                    "logging: { driver: local } or options: { max-size: 10m, max-file: '3' }", "https://docs.docker.com/engine/logging/drivers/json-file/"));
            }

            if (ImageName(service) is "postgres" or "postgis" or "timescaledb" or "timescaledb-ha" && service.MemoryLimit is { } memory)
            {
                var shm = ComposeService.Size(ComposeService.Scalar(node, "shm_size")) ?? 64L * 1024 * 1024;
                var sharedBuffers = memory / 4; // PGTune's RAM / 4
                if (shm < sharedBuffers)
                {
                    findings.Add(Create("compose-postgres-shm", Severity.Warning, $"/dev/shm {PgSize.Format(shm / 1024)} is below shared_buffers {PgSize.Format(sharedBuffers / 1024)}",
                        $"PGTune sizes shared_buffers at a quarter of the {PgSize.Format(memory / 1024)} memory limit; Docker's default /dev/shm is 64MB, which breaks parallel queries (docker-library/postgres#416)",
                        $"shm_size: {PgSize.Format(sharedBuffers / 1024)}", "https://github.com/docker-library/postgres/issues/416"));
                }
            }
        }

        return findings;
    }

    private static string? ImageName(ComposeService service) => service.Image is { } image ? ImageReference.Parse(image).Name : null;

    private static bool DockerfileHasHealthcheck(ComposeService service)
    {
        if (service.Dockerfile is not { } path || !File.Exists(path))
            return false;
        try
        {
            var file = Dockerfile.Parse(File.ReadAllText(path));
            return file.Stages.Count > 0 && file.Stages[^1].Lineage().SelectMany(s => s.Instructions).Any(i => i.Keyword == "HEALTHCHECK");
        }
        catch (DockerfileSyntaxException)
        {
            return false;
        }
    }

    /// <summary>Whether a service runs Node: its image is node, or the final stage of the Dockerfile it builds is; null when unknown.</summary>
    public static bool? IsNode(ComposeService service)
    {
        if (service.Image is { } image && service.Dockerfile is null)
        {
            var name = ImageReference.Parse(image).Name;
            return name == "node" || name.StartsWith("nodejs", StringComparison.Ordinal) ? true : null;
        }

        if (service.Dockerfile is not { } path || !File.Exists(path))
            return null;
        try
        {
            var file = Dockerfile.Parse(File.ReadAllText(path));
            return file.Stages.Count > 0 && DockerfileContext.IsNode(file.Stages[^1]);
        }
        catch (DockerfileSyntaxException)
        {
            return null;
        }
    }

    internal static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
