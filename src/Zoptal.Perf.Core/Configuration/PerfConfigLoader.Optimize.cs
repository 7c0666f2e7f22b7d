using YamlDotNet.RepresentationModel;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
    private static OptimizeConfig ReadOptimize(YamlObject? optimize)
    {
        var defaults = new OptimizeConfig();
        if (optimize is null)
            return defaults;
        var include = optimize.StringList("include");
        var exclude = optimize.StringList("exclude");
        var config = new OptimizeConfig
        {
            Include = optimize.Has("include") ? include : defaults.Include,
            Exclude = optimize.Has("exclude") ? exclude : defaults.Exclude,
            PostgresProfile = optimize.Enum<PostgresProfile>("postgresProfile", "a PGTune profile"),
            Storage = optimize.Enum<StorageKind>("storage", "a storage kind"),
            Targets = [.. optimize.List("targets").Select(t => ReadTarget(t.Node, t.Path, optimize.Context)).OfType<OptimizeTarget>()],
        };
        optimize.ReportUnknownKeys();
        return config;
    }

    private static OptimizeTarget? ReadTarget(YamlNode node, string path, ConfigContext context)
    {
        var target = YamlObject.From(node, path, context);
        if (target is null)
        {
            if (node is YamlScalarNode { Value: "" or "~" or "null" }) // an empty item; anything else was reported by From
                context.Error(node, path, "an empty target", "write { files: [\"deploy/postgresql.conf\"], cpus: 4, memory: 8GB, postgresVersion: 15 }");
            return null;
        }

        var files = target.Get("files") is YamlScalarNode ? [target.String("files")!] : target.StringList("files");
        var database = target.Bool("database") ?? false;
        if (files.Count == 0 && !database)
            context.Error(node, path, "a target names its files (files: [glob, ...]) or the live server (database: true)");
        var version = target.Number("postgresVersion", 9.0, 99);
        if (version is { } v && (v >= 10 && v != Math.Floor(v) || v < 10 && Math.Round(v * 10) != v * 10))
            context.Error(target.Get("postgresVersion")!, target.ChildPath("postgresVersion"), $"'{v}' is not a PostgreSQL major version", "write 15, 16, or 9.6 for the 9.x series");
        var result = new OptimizeTarget
        {
            Files = files,
            Database = database,
            Cpus = target.Number("cpus", 0.01, 1024),
            MemoryBytes = target.Size("memory", 16L * 1024 * 1024),
            PostgresVersion = version,
            Profile = target.Enum<PostgresProfile>("profile", "a PGTune profile"),
            Storage = target.Enum<StorageKind>("storage", "a storage kind"),
            Where = $"{Path.GetFileName(context.File)}:{node.Start.Line}",
        };
        target.ReportUnknownKeys();
        return result;
    }
}
