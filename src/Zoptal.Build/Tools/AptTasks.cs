using Zoptal.Perf.Core;

namespace Zoptal.Build;

/// <summary>
/// System packages a target needs (PostgreSQL and dockerd for the tests): found by name on PATH and in the places
/// Debian and Docker CE put them, and installed with apt on a Debian-like system when the build runs as root or
/// may use sudo without a password (a GitHub-hosted runner's user may); otherwise the error says exactly what to install.
/// </summary>
public static class AptTasks
{
    /// <summary>A requirement: present when <paramref name="IsPresent"/> says so, else installed from <paramref name="Packages"/>.</summary>
    public sealed record Requirement(string What, Func<bool> IsPresent, IReadOnlyList<string> Packages);

    /// <summary>PostgreSQL's server binaries (initdb, pg_ctl) and contrib (pg_stat_statements).</summary>
    public static Requirement PostgreSql { get; } = new("PostgreSQL server", () => PostgreSqlBin() is not null, ["postgresql", "postgresql-contrib"]);

    /// <summary>The Docker engine (dockerd, started by the tests with its networking off) and a static busybox to build a local image from.</summary>
    public static Requirement DockerEngine { get; } = new("Docker engine and a static busybox", () => Dockerd is not null && Busybox is not null, ["docker.io", "busybox-static"]);

    /// <summary>Node.js and npm: tests hand the tool's outputs to JavaScript consumers (hdr-histogram-js reads the HDR logs).</summary>
    public static Requirement NodeJs { get; } = new("Node.js and npm", () => OnPath("node") && OnPath("npm"), ["nodejs", "npm"]);

    /// <summary>A Chromium to check the HTML report in (Playwright drives it; no browser is downloaded).</summary>
    public static Requirement Chromium { get; } = new("Chromium", () => ChromiumPath is not null, ["chromium"]);

    /// <summary>Debian's chromium, else another Chromium on PATH (Ubuntu's chromium-browser, a runner's google-chrome); null when none.</summary>
    public static string? ChromiumPath => Find("chromium", "/usr/bin/chromium") ?? Find("chromium-browser") ?? Find("google-chrome");

    /// <summary>Whether an executable of that name is on PATH.</summary>
    public static bool OnPath(string name) => Find(name) is not null;

    /// <summary>
    /// An executable as <c>command -v</c> finds it: the first on PATH, then the sbin folders a non-root user's PATH
    /// lacks, then <paramref name="known"/> places; null when none exists.
    /// </summary>
    public static string? Find(string name, params string[] known) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin"]).Select(folder => Path.Combine(folder, name)).Concat(known)
            .FirstOrDefault(File.Exists);

    /// <summary>The engine: Debian's docker.io puts it in /usr/sbin, Docker CE in /usr/bin; null when absent.</summary>
    public static string? Dockerd => Find("dockerd", "/usr/sbin/dockerd", "/usr/bin/dockerd");

    /// <summary>A busybox (Debian's busybox-static puts it in /bin); null when absent.</summary>
    public static string? Busybox => Find("busybox", "/bin/busybox", "/usr/bin/busybox");

    /// <summary>How system packages can be installed here.</summary>
    public enum Privilege
    {
        /// <summary>The build runs as root.</summary>
        Root,

        /// <summary>Through <c>sudo -n</c>: sudo without a password.</summary>
        Sudo,

        /// <summary>Not at all: the user installs.</summary>
        None,
    }

    /// <summary>The privilege to install with: apt-get on Linux, and root or passwordless sudo.</summary>
    public static Privilege InstallPrivilege(bool linux, bool hasAptGet, bool isRoot, bool passwordlessSudo) =>
        !linux || !hasAptGet ? Privilege.None : isRoot ? Privilege.Root : passwordlessSudo ? Privilege.Sudo : Privilege.None;

    // The command as root: itself, or through sudo -n (which never asks for a password; environment passed with env).
    private static (string File, string[] Arguments) AsRoot(Privilege privilege, IReadOnlyDictionary<string, string> environment, string file, params string[] arguments) =>
        privilege == Privilege.Sudo
            ? ("sudo", ["-n", "env", .. environment.Select(e => $"{e.Key}={e.Value}"), file, .. arguments])
            : (file, arguments);

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
        var isRoot = Environment.UserName == "root";
        var sudo = !isRoot && Find("sudo") is not null && await ProcessTasks.RunAsync("sudo", ["-n", "true"], cancellation: cancellation) == 0;
        var privilege = InstallPrivilege(OperatingSystem.IsLinux(), File.Exists("/usr/bin/apt-get"), isRoot, sudo);
        if (privilege == Privilege.None)
        {
            var why = !OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get")
                ? "there is no apt-get here; install the equivalents of these Debian packages"
                : "the build is not root and sudo asks for a password";
            throw new RunFailedException($"The tests need {string.Join(" and ", missing.Select(m => m.What))}, and {why}. Install: sudo apt-get install -y {string.Join(' ', packages)}");
        }

        Log.Information($"Installing {string.Join(", ", packages)} with apt-get{(privilege == Privilege.Sudo ? " through sudo" : "")} (needed by the tests) ...");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var update = AsRoot(privilege, environment, "apt-get", "update", "-qq");
        await ProcessTasks.RunCheckedAsync(update.File, update.Arguments, environment: environment, cancellation: cancellation);
        // Debian starts the services it installs. A system dockerd would create a bridge and NAT rules, which these
        // machines forbid (the tests start their own with networking off): policy-rc.d answers "not now" (101).
        const string policy = "/usr/sbin/policy-rc.d";
        var ownPolicy = !File.Exists(policy);
        if (ownPolicy)
        {
            var script = Path.Combine(Path.GetTempPath(), $"policy-rc.d.{Environment.ProcessId}");
            await File.WriteAllTextAsync(script, "#!/bin/sh\n# written by Zoptal.Perf's Test target while apt-get installs; removed afterwards\nexit 101\n", cancellation);
            var place = AsRoot(privilege, environment, "install", "-m", "0755", script, policy);
            await ProcessTasks.RunCheckedAsync(place.File, place.Arguments, cancellation: cancellation);
            File.Delete(script);
        }

        try
        {
            var install = AsRoot(privilege, environment, "apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. packages]);
            await ProcessTasks.RunCheckedAsync(install.File, install.Arguments, environment: environment, cancellation: cancellation);
        }
        finally
        {
            if (ownPolicy)
            {
                var remove = AsRoot(privilege, environment, "rm", "-f", policy);
                await ProcessTasks.RunCheckedAsync(remove.File, remove.Arguments, cancellation: CancellationToken.None);
            }
        }

        var still = missing.Where(r => !r.IsPresent()).Select(r => r.What).ToList();
        if (still.Count > 0)
            throw new RunFailedException($"apt-get installed {string.Join(' ', packages)}, but {string.Join(", ", still)} is still missing.");
    }
}
