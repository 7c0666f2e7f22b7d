using System.Globalization;
using System.Text.RegularExpressions;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize.Docker;
using Zoptal.Perf.Optimize.Postgres;

namespace Zoptal.Perf.Optimize.Targets;

/// <summary>What a live PostgreSQL server told about itself: its version, and its limits when it runs on this machine.</summary>
public sealed record LiveServer(string Server, double Version, Limits? Limits);

/// <summary>
/// Finds the machine a file is for, in order: the config's <c>optimize.targets</c> (first entry whose globs match),
/// the compose service that mounts the file or builds the folder it is in (its limits; PostgreSQL's version from the
/// image tag), a PGTune header in the file, and for PostgreSQL files the live server of the <c>database</c> section
/// (its version, and its cgroup when it runs here). The machine Optimize runs on is never a source.
/// </summary>
public sealed partial class TargetResolver(string root, OptimizeConfig config, IReadOnlyList<ComposeService> services, LiveServer? live)
{
    private readonly List<(OptimizeTarget Target, IReadOnlyList<Regex> Globs)> _targets =
        [.. config.Targets.Select(t => (t, (IReadOnlyList<Regex>)[.. t.Files.Select(Glob.ToRegex)]))];

    /// <summary>The target of a repository file; <paramref name="text"/> is read for a PGTune header.</summary>
    public Target ForFile(string relativePath, string? text, bool postgres)
    {
        var target = Target.Unknown(config);
        var entry = _targets.FirstOrDefault(t => t.Globs.Any(g => g.IsMatch(relativePath))).Target;
        if (entry is not null)
            target = target.Or(FromConfig(entry));
        if (Compose(relativePath, postgres) is { } service)
            target = target.Or(service);
        if (postgres && text is not null && PgTuneHeader(text) is { IsEmpty: false } header)
            target = target.Or(header);
        if (postgres && live is not null)
            target = target.Or(FromLive(live));
        return target;
    }

    /// <summary>The live server's target: a <c>database: true</c> entry of the config, then what the server says.</summary>
    public Target ForServer()
    {
        var target = Target.Unknown(config);
        if (config.Targets.FirstOrDefault(t => t.Database) is { } entry)
            target = target.Or(FromConfig(entry));
        return live is null ? target : target.Or(FromLive(live));
    }

    private static PartialTarget FromConfig(OptimizeTarget entry) => new(
        entry.Cpus is { } c ? new(c, entry.Where) : null,
        entry.MemoryBytes is { } m ? new(m, entry.Where) : null,
        entry.PostgresVersion is { } v ? new(v, entry.Where) : null,
        entry.Profile is { } p ? new(p, entry.Where) : null,
        entry.Storage is { } s ? new(s, entry.Where) : null);

    private static PartialTarget FromLive(LiveServer server) => new(
        server.Limits is { } l ? new(l.Cpus, $"{server.Server}: {l.Source}") : null,
        server.Limits is { } m ? new(m.MemoryBytes, $"{server.Server}: {m.Source}") : null,
        new(server.Version, $"{server.Server}: server_version_num"));

    // The service that mounts the file (PostgreSQL) or whose build context holds it (Dockerfiles, PM2, Next.js).
    private PartialTarget? Compose(string relativePath, bool postgres)
    {
        var path = Path.GetFullPath(Path.Combine(root, relativePath));
        static bool Under(string file, string folder) => file == folder || file.StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        var service = postgres
            ? services.FirstOrDefault(s => s.Mounts.Any(m => Under(path, m)))
            : services.Where(s => s.BuildContext is not null && (s.Dockerfile == path || Under(path, s.BuildContext))).OrderByDescending(s => s.BuildContext!.Length).FirstOrDefault();
        if (service is null)
            return null;
        var where = $"{service.File} service {service.Name}";
        return new PartialTarget(
            service.CpuLimit is { } c ? new(c, where + ": cpus limit") : null,
            service.MemoryLimit is { } m ? new(m, where + ": memory limit") : null,
            postgres && service.PostgresVersion is { } v ? new(v, $"{where}: image {service.Image}") : null);
    }

    /// <summary>The machine a PGTune-generated file was made for, from its header comments.</summary>
    public static PartialTarget PgTuneHeader(string text)
    {
        Sourced<double>? cpus = null, version = null;
        Sourced<long>? memory = null;
        Sourced<PostgresProfile>? profile = null;
        Sourced<StorageKind>? storage = null;
        var lines = text.Split('\n');
        for (var i = 0; i < Math.Min(lines.Length, 40); i++)
        {
            var match = HeaderLine().Match(lines[i]);
            if (!match.Success)
                continue;
            var source = $"PGTune header, line {i + 1}";
            var value = match.Groups["value"].Value.Trim();
            switch (match.Groups["key"].Value.ToLowerInvariant())
            {
                case "db version" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v):
                    version = new(v, source);
                    break;
                case "total memory (ram)" when MemoryValue().Match(value) is { Success: true } m:
                    var amount = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                    memory = new((long)(amount * (m.Groups[2].Value.ToUpperInvariant() == "MB" ? 1048576d : m.Groups[2].Value.ToUpperInvariant() == "TB" ? 1099511627776d : 1073741824d)), source);
                    break;
                case "cpus num" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c > 0:
                    cpus = new(c, source);
                    break;
                case "db type":
                    profile = value.ToLowerInvariant() switch
                    {
                        "web" => new(PostgresProfile.Web, source),
                        "oltp" => new(PostgresProfile.Oltp, source),
                        "dw" => new(PostgresProfile.Dw, source),
                        "desktop" => new(PostgresProfile.Desktop, source),
                        "mixed" => new(PostgresProfile.Mixed, source),
                        _ => null,
                    };
                    break;
                case "data storage":
                    storage = value.ToLowerInvariant() switch
                    {
                        "ssd" => new(StorageKind.Ssd, source),
                        "hdd" => new(StorageKind.Hdd, source),
                        "san" => new(StorageKind.San, source),
                        _ => null,
                    };
                    break;
            }
        }

        return new PartialTarget(cpus, memory, version, profile, storage);
    }

    [GeneratedRegex(@"^\s*#\s*(?<key>DB Version|Total Memory \(RAM\)|CPUs num|DB Type|Data Storage)\s*:\s*(?<value>.+?)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(MB|GB|TB)$", RegexOptions.IgnoreCase)]
    private static partial Regex MemoryValue();
}
