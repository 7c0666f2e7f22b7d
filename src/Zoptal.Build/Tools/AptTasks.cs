using Zoptal.Perf.Core;

namespace Zoptal.Build;

/// <summary>
/// System packages a target needs (PostgreSQL and dockerd for the tests): installed with apt when the build runs
/// as root on a Debian-like system; otherwise the error says exactly what to install.
/// </summary>
public static class AptTasks
{
    /// <summary>A requirement: present when <paramref name="IsPresent"/> says so, else installed from <paramref name="Packages"/>.</summary>
    public sealed record Requirement(string What, Func<bool> IsPresent, IReadOnlyList<string> Packages);

    /// <summary>PostgreSQL's server binaries (initdb, pg_ctl) and contrib (pg_stat_statements).</summary>
    public static Requirement PostgreSql { get; } = new("PostgreSQL server", () => PostgreSqlBin() is not null, ["postgresql", "postgresql-contrib"]);

    /// <summary>The Docker engine (dockerd, started by the tests with its networking off) and a static busybox to build a local image from.</summary>
    public static Requirement DockerEngine { get; } = new("Docker engine and a static busybox", () => File.Exists(Dockerd) && File.Exists(Busybox), ["docker.io", "busybox-static"]);

    /// <summary>Node.js and npm: tests hand the tool's outputs to JavaScript consumers (hdr-histogram-js reads the HDR logs).</summary>
    public static Requirement NodeJs { get; } = new("Node.js and npm", () => OnPath("node") && OnPath("npm"), ["nodejs", "npm"]);

    /// <summary>Whether an executable of that name is on PATH.</summary>
    public static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(folder => File.Exists(Path.Combine(folder, name)));

    /// <summary>Where Debian's docker.io puts the engine.</summary>
    public const string Dockerd = "/usr/sbin/dockerd";

    /// <summary>Where Debian's busybox-static puts busybox.</summary>
    public const string Busybox = "/bin/busybox";

    /// <summary>The newest /usr/lib/postgresql/N/bin with initdb, or null.</summary>
    public static string? PostgreSqlBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault()
            : null;

    /// <summary>Makes every requirement present, or throws naming the packages to install.</summary>
    public static async Task EnsureAsync(IEnumerable<Requirement> requirements, CancellationToken cancellation)
    {
        var missing = requirements.Where(r => !r.IsPresent()).ToList();
        if (missing.Count == 0)
            return;
        var packages = missing.SelectMany(r => r.Packages).Distinct().ToList();
        var canInstall = OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists("/usr/bin/apt-get");
        if (!canInstall)
        {
            throw new RunFailedException($"The tests need {string.Join(" and ", missing.Select(m => m.What))}. Install: sudo apt-get install -y {string.Join(' ', packages)}");
        }

        Log.Information($"Installing {string.Join(", ", packages)} with apt-get (needed by the tests) ...");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        await ProcessTasks.RunCheckedAsync("apt-get", ["update", "-qq"], environment: environment, cancellation: cancellation);
        // Debian starts the services it installs. A system dockerd would create a bridge and NAT rules, which these
        // machines forbid (the tests start their own with networking off): policy-rc.d answers "not now" (101).
        const string policy = "/usr/sbin/policy-rc.d";
        var ownPolicy = !File.Exists(policy);
        if (ownPolicy)
        {
            await File.WriteAllTextAsync(policy, "#!/bin/sh\n# written by Zoptal.Perf's Test target while apt-get installs; removed afterwards\nexit 101\n", cancellation);
            if (OperatingSystem.IsLinux())
                File.SetUnixFileMode(policy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        try
        {
            await ProcessTasks.RunCheckedAsync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. packages], environment: environment, cancellation: cancellation);
        }
        finally
        {
            if (ownPolicy)
                File.Delete(policy);
        }

        var still = missing.Where(r => !r.IsPresent()).Select(r => r.What).ToList();
        if (still.Count > 0)
            throw new RunFailedException($"apt-get installed {string.Join(' ', packages)}, but {string.Join(", ", still)} is still missing.");
    }
}
