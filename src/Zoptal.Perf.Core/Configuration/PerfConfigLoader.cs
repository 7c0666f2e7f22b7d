using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Core.Thresholds;

namespace Zoptal.Perf.Core.Configuration;

/// <summary>
/// Reads perf-config.yml: YAML with positions, <c>${ENV}</c> interpolation, and strict validation that reports every
/// problem at once with file:line:column and a hint. Nothing is half-loaded: either a whole config or an exception.
/// </summary>
public static partial class PerfConfigLoader
{
    /// <summary>The file name looked for by default.</summary>
    public const string DefaultFileName = "perf-config.yml";

    private static readonly string[] HttpSchemes = ["http", "https"];
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    /// <summary>A configuration file larger than this is refused: ours are a few kilobytes, and a runaway file would print errors by the million.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    /// <summary>Loads a file; <paramref name="displayPath"/> is how errors name it (by default the path as given).</summary>
    public static PerfConfig Load(string path, IReadOnlyDictionary<string, string> environment, SecretMasker? masker = null, string? displayPath = null)
    {
        displayPath ??= path;
        ConfigurationException Refuse(string message, string hint, int line = 1, int column = 1) =>
            new([new ConfigError(displayPath, line, column, string.Empty, message, hint)]);
        byte[] bytes;
        try
        {
            if (Directory.Exists(path))
                throw Refuse("this is a folder, not a file", "name the configuration file itself with --config");
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
                info = (FileInfo?)info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
            if (!info.Exists)
                throw Refuse("the file does not exist", "create it, or name another with --config");
            if (info.Length > MaxFileBytes)
                throw Refuse($"the file is {info.Length / 1048576.0:0.0} MB; a configuration over {MaxFileBytes / 1048576} MB is refused", "is this the right file? perf-config.yml is a few kilobytes");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refuse($"the file cannot be read: {e.Message.TrimEnd('.')}", e.Message.Contains("symbolic link", StringComparison.OrdinalIgnoreCase)
                ? "a symbolic link that points at itself, through others or directly: link it to the real file"
                : "check that it exists and can be read");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            var at = Math.Max(0, e.Index);
            var line = 1 + bytes.AsSpan(0, at).Count((byte)'\n');
            var lineStart = bytes.AsSpan(0, at).LastIndexOf((byte)'\n') + 1;
            var column = 1 + Encoding.UTF8.GetCharCount(bytes, lineStart, at - lineStart);
            throw Refuse($"not UTF-8: the byte at offset {at} (0x{bytes[at]:X2}) is not valid UTF-8", "save the file as UTF-8", line, column);
        }

        return Parse(text.TrimStart('\uFEFF'), displayPath, environment, masker, Path.GetFullPath(path));
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses YAML text.</summary>
    public static PerfConfig Parse(string yaml, string displayPath, IReadOnlyDictionary<string, string> environment, SecretMasker? masker = null, string? sourcePath = null)
    {
        var context = new ConfigContext(displayPath, environment, masker ?? SecretMasker.Shared);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            // YamlDotNet prefixes its own position; ours comes first.
            message = PositionPrefix().Replace(message, string.Empty);
            // A tab is reported at the token before it: point at the tab itself.
            if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && yaml.IndexOf('\t', (int)Math.Min(e.Start.Index, yaml.Length)) is var tab and >= 0)
            {
                var line = 1 + yaml.AsSpan(0, tab).Count('\n');
                var lineStart = tab == 0 ? 0 : yaml.LastIndexOf('\n', tab - 1) + 1;
                throw new ConfigurationException([new ConfigError(displayPath, line, tab - lineStart + 1, string.Empty,
                    "YAML syntax: a tab character; YAML indents with spaces only", "replace the tab with spaces")]);
            }

            throw new ConfigurationException([new ConfigError(displayPath, (int)e.Start.Line, (int)e.Start.Column, string.Empty, "YAML syntax: " + message)]);
        }

        if (stream.Documents.Count > 0)
            Merge(stream.Documents[0].RootNode, []);
        if (stream.Documents.Count == 0)
            throw new ConfigurationException([new ConfigError(displayPath, 1, 1, string.Empty, "the file is empty", "start from the perf-config.yml in the repository")]);
        var root = YamlObject.From(stream.Documents[0].RootNode, string.Empty, context);
        if (root is null)
            throw new ConfigurationException(context.Errors.Count > 0 ? context.Errors : [new ConfigError(displayPath, 1, 1, string.Empty, "the file is empty")]);

        var config = ReadRoot(root, sourcePath ?? Path.GetFullPath(displayPath));
        if (context.Errors.Count > 0)
            throw new ConfigurationException([.. context.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        return config;
    }

    // Merge keys (<<: *defaults, or <<: [*a, *b]) expanded as YAML 1.1 defines them, so anchors can share service
    // settings: the mapping's own keys win, then the merged mappings in order. Merged keys keep their positions.
    private static void Merge(YamlNode node, HashSet<YamlNode> seen)
    {
        if (!seen.Add(node))
            return;
        if (node is YamlSequenceNode sequence)
        {
            foreach (var item in sequence.Children)
                Merge(item, seen);
            return;
        }

        if (node is not YamlMappingNode mapping)
            return;
        var mergeKey = new YamlScalarNode("<<");
        if (mapping.Children.TryGetValue(mergeKey, out var merged))
        {
            mapping.Children.Remove(mergeKey);
            var sources = merged is YamlSequenceNode list ? list.Children : [merged];
            foreach (var source in sources.OfType<YamlMappingNode>())
            {
                Merge(source, seen);
                foreach (var (key, value) in source.Children)
                {
                    if (!mapping.Children.ContainsKey(key))
                        mapping.Children.Add(key, value);
                }
            }
        }

        foreach (var child in mapping.Children.Values.ToList())
            Merge(child, seen);
    }

    private static PerfConfig ReadRoot(YamlObject root, string sourcePath)
    {
        var version = root.Int("version", 1, 1) ?? 1;
        var thresholds = ReadThresholds(root.Object("thresholds"), ThresholdTable.Default, requireBoth: false);
        var services = ReadServices(root, thresholds);
        var config = new PerfConfig
        {
            SourcePath = sourcePath,
            Version = version,
            Services = services,
            Load = ReadLoad(root.Object("load"), services),
            Thresholds = thresholds,
            Gate = ReadGate(root.Object("gate"), services),
            Results = ReadResults(root.Object("results")),
            Database = ReadDatabase(root.Object("database")),
            Docker = ReadDocker(root.Object("docker")),
            Frontends = ReadFrontends(root),
            Alerts = ReadAlerts(root.Object("alerts")),
            Optimize = ReadOptimize(root.Object("optimize")),
        };
        foreach (var service in services.Where(s => s.Container is not null && config.Docker?.Containers.Contains(s.Container) != true))
        {
            root.Context.Errors.Add(service.ContainerAt!.Error(root.Context.File, $"container '{service.Container}' is not watched",
                "list it under docker.containers, so the run can see it stop"));
        }

        root.ReportUnknownKeys(extensions: true);
        return config;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex ServiceName();

    [GeneratedRegex(@"(?:^|;)\s*password\s*=([^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInConnectionString();

    [GeneratedRegex(@"^(unix://.+|tcp://[^/\s]+|npipe://.+|https?://[^/\s]+)$")]
    private static partial Regex DockerHost();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
