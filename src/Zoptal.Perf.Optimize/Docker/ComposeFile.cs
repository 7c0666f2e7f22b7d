using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Zoptal.Perf.Optimize.Docker;

/// <summary>A compose file Optimize cannot read: where and why.</summary>
public sealed class ComposeException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>
/// A service of a compose file after what Compose resolves before it runs anything: YAML merge keys
/// (<c>&lt;&lt;: *defaults</c>, also lists of them) and <c>extends</c> (in the same file or another), the service's own
/// keys winning. Paths (build context, Dockerfile, bind-mounted files) are absolute.
/// </summary>
public sealed partial record ComposeService(string File, string Name, int Line, YamlMappingNode Node)
{
    public string? Image => Scalar(Node, "image");

    /// <summary>The build context folder, absolute, or null when the service only pulls an image.</summary>
    public string? BuildContext { get; init; }

    /// <summary>The Dockerfile the build uses, absolute, or null.</summary>
    public string? Dockerfile { get; init; }

    /// <summary>The host paths of bind mounts, absolute.</summary>
    public IReadOnlyList<string> Mounts { get; init; } = [];

    /// <summary>The memory limit in bytes (deploy.resources.limits.memory, else mem_limit), or null.</summary>
    public long? MemoryLimit => Size(Scalar(Child(Child(Child(Node, "deploy"), "resources"), "limits"), "memory") ?? Scalar(Node, "mem_limit"));

    /// <summary>The CPU limit (deploy.resources.limits.cpus, else cpus), or null.</summary>
    public double? CpuLimit => double.TryParse(Scalar(Child(Child(Child(Node, "deploy"), "resources"), "limits"), "cpus") ?? Scalar(Node, "cpus"), NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : null;

    /// <summary>PostgreSQL's major version from the image tag: postgres:15, postgres:16-alpine, postgis/postgis:15-3.4, timescale/timescaledb:2.14.2-pg15.</summary>
    public double? PostgresVersion
    {
        get
        {
            if (Image is not { } image)
                return null;
            var reference = ImageReference.Parse(image);
            if (reference.Tag is not { } tag)
                return null;
            if (PgSuffix().Match(tag) is { Success: true } pg)
                return double.Parse(pg.Groups[1].Value, CultureInfo.InvariantCulture);
            if (reference.Name is "postgres" or "postgis" or "postgresql" && PostgresTag().Match(tag) is { Success: true } m)
                return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return null;
        }
    }

    public static string? Scalar(YamlNode? node, string key) => Child(node, key) is YamlScalarNode { Value: { } v } ? v : null;

    public static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>A compose size (<c>512m</c>, <c>1g</c>, <c>2GB</c>, <c>1.5gb</c>, a number of bytes) in bytes, or null.</summary>
    public static long? Size(string? text)
    {
        if (text is null || ComposeSize().Match(text.Trim()) is not { Success: true } m)
            return null;
        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = m.Groups[2].Value.ToLowerInvariant() switch { "k" => 1024d, "m" => 1048576d, "g" => 1073741824d, "t" => 1099511627776d, _ => 1d };
        return (long)(number * unit);
    }

    [GeneratedRegex(@"(?:^|[-_])pg(\d{2})(?:$|[-_.])")]
    private static partial Regex PgSuffix();

    [GeneratedRegex(@"^(\d{2}|9\.\d)(?:$|[.\-_])")]
    private static partial Regex PostgresTag();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([bkmgtBKMGT])?[bB]?$")]
    private static partial Regex ComposeSize();
}

/// <summary>Reads compose files into their resolved services.</summary>
public static class ComposeFile
{
    private const int MaxExtends = 10;

    /// <summary>The services of a compose file; throws <see cref="ComposeException"/> for YAML that does not parse.</summary>
    public static IReadOnlyList<ComposeService> Load(string root, string relativePath, string text)
    {
        var document = Parse(relativePath, text);
        if (document is not YamlMappingNode top || ComposeService.Child(top, "services") is not YamlMappingNode services)
            return [];
        var folder = Path.GetDirectoryName(Path.GetFullPath(Path.Combine(root, relativePath)))!;
        var result = new List<ComposeService>();
        foreach (var (key, value) in services.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || value is not YamlMappingNode service)
                continue; // Compose refuses these too; the rules report nothing for them
            var resolved = Extend(root, folder, relativePath, Merge(service), services, depth: 0);
            result.Add(Locate(new ComposeService(relativePath, name, (int)key.Start.Line, resolved), folder));
        }

        return result;
    }

    private static YamlNode? Parse(string relativePath, string text)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ComposeException((int)e.Start.Line, $"line {e.Start.Line}, column {e.Start.Column}: {(e.InnerException ?? e).Message}");
        }
        catch (ArgumentException e)
        {
            throw new ComposeException(0, $"{relativePath}: a key is written twice in one mapping ({e.Message})");
        }

        return yaml.Documents.Count == 0 ? null : yaml.Documents[0].RootNode;
    }

    // YAML merge keys: << takes a mapping or a list of them; the mapping's own keys win, earlier merged mappings over later ones.
    private static YamlMappingNode Merge(YamlMappingNode node)
    {
        var merged = new YamlMappingNode();
        var mergeKey = new YamlScalarNode("<<");
        foreach (var (key, value) in node.Children)
        {
            if (!key.Equals(mergeKey))
                merged.Children[key] = value is YamlMappingNode child ? Merge(child) : value;
        }

        if (node.Children.TryGetValue(mergeKey, out var sources))
        {
            var list = sources is YamlSequenceNode sequence ? sequence.Children.ToList() : [sources];
            foreach (var source in list.OfType<YamlMappingNode>().Select(Merge))
            {
                foreach (var (key, value) in source.Children)
                {
                    if (!merged.Children.ContainsKey(key))
                        merged.Children[key] = value;
                }
            }
        }

        return merged;
    }

    // extends: { service: base } or { file: other.yml, service: base } or the short "extends: base"; the service's keys win, mappings merge.
    private static YamlMappingNode Extend(string root, string folder, string relativePath, YamlMappingNode service, YamlMappingNode services, int depth)
    {
        var extends = ComposeService.Child(service, "extends");
        if (extends is null || depth >= MaxExtends)
            return service;
        var baseName = extends is YamlScalarNode { Value: { } shortName } ? shortName : ComposeService.Scalar(extends, "service");
        var file = ComposeService.Scalar(extends, "file");
        if (baseName is null)
            return service;
        YamlMappingNode? baseNode = null;
        if (file is null)
        {
            baseNode = ComposeService.Child(services, baseName) as YamlMappingNode;
            if (baseNode is not null)
                baseNode = Extend(root, folder, relativePath, Merge(baseNode), services, depth + 1);
        }
        else
        {
            var path = Path.GetFullPath(Path.Combine(folder, file));
            var realRoot = Path.GetFullPath(root);
            if (path.StartsWith(realRoot, StringComparison.Ordinal) && File.Exists(path))
            {
                var other = Parse(Path.GetRelativePath(realRoot, path), File.ReadAllText(path));
                if (ComposeService.Child(other, "services") is YamlMappingNode otherServices && ComposeService.Child(otherServices, baseName) is YamlMappingNode found)
                    baseNode = Extend(root, Path.GetDirectoryName(path)!, Path.GetRelativePath(realRoot, path), Merge(found), otherServices, depth + 1);
            }
        }

        return baseNode is null ? service : Overlay(baseNode, service);
    }

    private static YamlMappingNode Overlay(YamlMappingNode under, YamlMappingNode over)
    {
        var result = new YamlMappingNode();
        foreach (var (key, value) in under.Children)
            result.Children[key] = value;
        foreach (var (key, value) in over.Children)
        {
            result.Children[key] = value is YamlMappingNode o && result.Children.TryGetValue(key, out var u) && u is YamlMappingNode um ? Overlay(um, o) : value;
        }

        return result;
    }

    private static ComposeService Locate(ComposeService service, string folder)
    {
        var build = ComposeService.Child(service.Node, "build");
        var context = build is YamlScalarNode { Value: { } c } ? c : ComposeService.Scalar(build, "context");
        string? contextPath = null;
        string? dockerfile = null;
        if (build is not null)
        {
            contextPath = context is null || context.Contains("://", StringComparison.Ordinal) ? (context is null ? folder : null) : Path.GetFullPath(Path.Combine(folder, context));
            if (contextPath is not null)
                dockerfile = Path.GetFullPath(Path.Combine(contextPath, ComposeService.Scalar(build, "dockerfile") ?? "Dockerfile"));
        }

        var mounts = new List<string>();
        if (ComposeService.Child(service.Node, "volumes") is YamlSequenceNode volumes)
        {
            foreach (var volume in volumes.Children)
            {
                var source = volume is YamlScalarNode { Value: { } text } ? text.Split(':')[0] : ComposeService.Scalar(volume, "source");
                if (source is not null && (source.StartsWith('.') || source.StartsWith('/')))
                    mounts.Add(Path.GetFullPath(Path.Combine(folder, source)));
            }
        }

        return service with { BuildContext = contextPath, Dockerfile = dockerfile, Mounts = mounts };
    }
}
