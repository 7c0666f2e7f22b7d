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

    private static List<ServiceConfig> ReadServices(YamlObject root, ThresholdTable globalThresholds)
    {
        var services = new List<ServiceConfig>();
        var firstSeen = new Dictionary<string, int>();
        var items = root.List("services", required: true);
        if (root.Has("services") && items.Count == 0 && root.Get("services") is YamlSequenceNode empty)
            root.Context.Error(empty, "services", "at least one service is required");
        foreach (var (node, path) in items)
        {
            var service = YamlObject.From(node, path, root.Context);
            if (service is null)
                continue;
            var name = service.String("name", required: true);
            if (name is not null)
            {
                var nameNode = service.Get("name")!;
                if (!ServiceName().IsMatch(name))
                    root.Context.Error(nameNode, service.ChildPath("name"), $"'{name}' is not a valid service name", "use lower-case letters, digits and dashes, starting with a letter");
                else if (firstSeen.TryGetValue(name, out var line))
                    root.Context.Error(nameNode, service.ChildPath("name"), $"duplicate service name '{name}'", $"first defined at line {line}");
                else
                    firstSeen[name] = (int)nameNode.Start.Line;
            }

            var baseUrlText = service.String("baseUrl", required: true);
            var embedded = baseUrlText == "embedded";
            Uri? baseUrl = null;
            if (baseUrlText is not null && !embedded)
                baseUrl = service.ParseUrl(baseUrlText, service.Get("baseUrl")!, service.ChildPath("baseUrl"), HttpSchemes);
            var health = service.String("health") ?? "/health";
            if (!health.StartsWith('/'))
                root.Context.Error(service.Get("health")!, service.ChildPath("health"), $"'{health}' is not a path", "start it with /, such as /health");
            else if (health.StartsWith("//", StringComparison.Ordinal))
                root.Context.Error(service.Get("health")!, service.ChildPath("health"), NetworkPathReference(health), "start it with a single /, such as /health");
            var allowedHosts = service.StringList("allowedHosts");
            var container = service.String("container");
            var serviceThresholds = ReadThresholds(service.Object("thresholds"), globalThresholds, requireBoth: false);
            var scenarios = ReadScenarios(service, serviceThresholds);
            service.ReportUnknownKeys();
            services.Add(new ServiceConfig
            {
                Name = name ?? string.Empty,
                Embedded = embedded,
                BaseUrl = baseUrl,
                HealthPath = health,
                AllowedHosts = allowedHosts,
                Container = container,
                ContainerAt = service.Get("container") is { } containerNode ? new SourcePosition((int)containerNode.Start.Line, (int)containerNode.Start.Column, service.ChildPath("container")) : null,
                BaseUrlAt = service.Get("baseUrl") is { } urlNode ? new SourcePosition((int)urlNode.Start.Line, (int)urlNode.Start.Column, service.ChildPath("baseUrl")) : null,
                Scenarios = scenarios,
                Thresholds = serviceThresholds,
            });
        }

        return services;
    }

    private static List<ScenarioConfig> ReadScenarios(YamlObject service, ThresholdTable serviceThresholds)
    {
        var scenarios = new List<ScenarioConfig>();
        foreach (var (node, path) in service.List("scenarios"))
        {
            string? name;
            var weight = 1;
            IReadOnlyList<RequestConfig> requests = [];
            ThresholdTable? thresholds = null;
            YamlNode nameNode = node;
            if (node is YamlScalarNode)
            {
                name = service.Context.Scalar(node, path, "a scenario name or mapping");
            }
            else
            {
                var scenario = YamlObject.From(node, path, service.Context);
                if (scenario is null)
                    continue;
                name = scenario.String("name", required: true);
                nameNode = scenario.Get("name") ?? node;
                weight = scenario.Int("weight", 1, 1000) ?? 1;
                requests = ReadRequests(scenario);
                if (scenario.Object("thresholds") is { } table)
                    thresholds = ReadThresholds(table, serviceThresholds, requireBoth: false);
                scenario.ReportUnknownKeys();
            }

            if (name is null)
                continue;
            if (!ServiceName().IsMatch(name))
                service.Context.Error(nameNode, path, $"'{name}' is not a valid scenario name", "use lower-case letters, digits and dashes, starting with a letter");
            else if (scenarios.Any(s => s.Name == name))
                service.Context.Error(nameNode, path, $"duplicate scenario '{name}' in this service");
            scenarios.Add(new ScenarioConfig
            {
                Name = name,
                Weight = weight,
                Requests = requests,
                Thresholds = thresholds,
                NameAt = new SourcePosition((int)nameNode.Start.Line, (int)nameNode.Start.Column, path),
            });
        }

        return scenarios;
    }

    // RFC 3986 4.2: "//host/path" is resolved against the base URL's scheme only, so it names another host.
    private static string NetworkPathReference(string path) =>
        $"'{path}' is a network-path reference: it would send to the host '{path[2..].Split('/', '?', '#')[0]}', not to the service's baseUrl";

    private static List<RequestConfig> ReadRequests(YamlObject scenario)
    {
        var requests = new List<RequestConfig>();
        foreach (var (node, path) in scenario.List("requests"))
        {
            var request = YamlObject.From(node, path, scenario.Context);
            if (request is null)
                continue;
            var method = (request.String("method") ?? "GET").ToUpperInvariant();
            if (!HttpMethods.Contains(method))
                scenario.Context.Error(request.Get("method")!, request.ChildPath("method"), $"'{method}' is not an HTTP method", $"allowed: {string.Join(", ", HttpMethods)}");
            var requestPath = request.String("path", required: true) ?? "/";
            if (!requestPath.StartsWith('/'))
                scenario.Context.Error(request.Get("path")!, request.ChildPath("path"), $"'{requestPath}' is not a path", "start it with /; the service's baseUrl comes before it");
            else if (requestPath.StartsWith("//", StringComparison.Ordinal))
                scenario.Context.Error(request.Get("path")!, request.ChildPath("path"), NetworkPathReference(requestPath), "start it with a single /; the service's baseUrl comes before it");
            var headers = new Dictionary<string, string>();
            if (request.Object("headers") is { } headerMap)
            {
                foreach (var (key, _, value) in headerMap.Entries())
                {
                    if (scenario.Context.Scalar(value, headerMap.ChildPath(key), "a header value") is { } text)
                        headers[key] = text;
                }
            }

            int? status = null;
            string? contains = null;
            if (request.Object("check") is { } check)
            {
                status = check.Int("status", 100, 599);
                contains = check.String("bodyContains");
                check.ReportUnknownKeys();
            }

            var body = request.String("body");
            var name = request.String("name") ?? $"{method} {requestPath}";
            request.ReportUnknownKeys();
            requests.Add(new RequestConfig { Name = name, Method = method, Path = requestPath, Headers = headers, Body = body, ExpectStatus = status, ExpectBodyContains = contains });
        }

        return requests;
    }

    private static ThresholdTable ReadThresholds(YamlObject? table, ThresholdTable defaults, bool requireBoth)
    {
        if (table is null)
            return defaults;
        var overrides = new Dictionary<string, GradeBounds>();
        foreach (var (key, keyNode, value) in table.Entries())
        {
            var path = table.ChildPath(key);
            var metric = MetricDefinition.Find(key);
            if (metric is null)
            {
                var suggestion = Suggestions.Closest(key, MetricDefinition.All.Select(m => m.Key));
                table.Context.Error(keyNode, path, $"unknown metric '{key}'",
                    (suggestion is null ? string.Empty : $"did you mean '{suggestion}'? ") + $"known metrics: {string.Join(", ", MetricDefinition.All.Select(m => m.Key))}");
                continue;
            }

            var bounds = YamlObject.From(value, path, table.Context);
            if (bounds is null)
            {
                if (value is YamlScalarNode)
                    table.Context.Error(value, path, "expected a mapping with warning and critical", "write { warning: 500ms, critical: 1000ms }");
                continue;
            }

            double? Read(string bound) => metric.Unit switch
            {
                "ms" => bounds.Duration(bound, bareMilliseconds: true) is { } d ? d.TotalMilliseconds : null,
                "%" => bounds.Percent(bound),
                _ => bounds.Number(bound, 0),
            };

            var warning = Read("warning");
            var critical = Read("critical");
            bounds.ReportUnknownKeys();
            var fallback = defaults.Metrics.GetValueOrDefault(key);
            if ((warning is null && !bounds.Has("warning") && (requireBoth || fallback is null)) ||
                (critical is null && !bounds.Has("critical") && (requireBoth || fallback is null)))
            {
                table.Context.Error(value, path, "both 'warning' and 'critical' are required for this metric");
                continue;
            }

            if ((warning is null && bounds.Has("warning")) || (critical is null && bounds.Has("critical")))
                continue; // already reported

            var merged = new GradeBounds(warning ?? fallback!.Warning, critical ?? fallback!.Critical, metric.Direction);
            if (!merged.IsOrdered)
            {
                var (worse, better) = metric.Direction == MetricDirection.HigherIsWorse ? ("above", "below") : ("below", "above");
                var at = bounds.Get("warning") ?? bounds.Get("critical") ?? value;
                table.Context.Error(at, path,
                    $"the warning bound ({Format(merged.Warning, metric)}) is {worse} the critical bound ({Format(merged.Critical, metric)})",
                    $"for {metric.Title} {better} warning is good and {worse} critical is critical, so warning must be {better} critical");
                continue;
            }

            overrides[key] = merged;
        }

        return defaults.With(overrides);
    }

    private static string Format(double value, MetricDefinition metric) => metric.Unit switch
    {
        "ms" => K6Duration.Format(TimeSpan.FromMilliseconds(value)),
        "%" => $"{value:0.##}%",
        _ => $"{value:0.##}",
    };

    private static LoadConfig ReadLoad(YamlObject? load, IReadOnlyList<ServiceConfig> services)
    {
        var defaults = new LoadConfig();
        if (load is null)
            return defaults;
        var executor = load.Enum<ExecutorKind>("executor", "a k6 executor") ?? defaults.Executor;
        var stages = new List<StageConfig>();
        foreach (var (node, path) in load.List("stages"))
        {
            var stage = YamlObject.From(node, path, load.Context);
            if (stage is null)
                continue;
            var duration = stage.Duration("duration", required: true);
            var target = stage.Int("target", 0, 1_000_000, required: true);
            stage.ReportUnknownKeys();
            if (duration is not null && target is not null)
                stages.Add(new StageConfig(duration.Value, target.Value));
        }

        var stress = load.Object("stress");
        var config = new LoadConfig
        {
            Executor = executor,
            Vus = load.Int("vus", 1, LoadConfig.MaxVusLimit) ?? defaults.Vus,
            Duration = load.Duration("duration", TimeSpan.FromSeconds(1)) ?? defaults.Duration,
            RampUp = load.Duration("rampUp") ?? defaults.RampUp,
            RampDown = load.Duration("rampDown") ?? defaults.RampDown,
            Stages = stages,
            Iterations = load.Int("iterations", 1),
            Rate = load.Int("rate", 1),
            TimeUnit = load.Duration("timeUnit", TimeSpan.FromMilliseconds(1)) ?? defaults.TimeUnit,
            PreAllocatedVus = load.Int("preAllocatedVUs", 1, 100_000),
            MaxVus = load.Int("maxVUs", 1, 100_000),
            GracefulStop = load.Duration("gracefulStop") ?? defaults.GracefulStop,
            GracefulRampDown = load.Duration("gracefulRampDown") ?? defaults.GracefulRampDown,
            ThinkTime = load.Duration("thinkTime") ?? defaults.ThinkTime,
            Thresholds = ReadK6Thresholds(load.Object("thresholds"), services),
            Http = ReadHttp(load.Object("http")),
            OnSaturation = load.Enum<SaturationPolicy>("onSaturation", "a saturation policy") ?? defaults.OnSaturation,
            Backlog = load.Int("backlog", 0, 10_000_000) ?? defaults.Backlog,
            MaxDroppedPercent = load.Percent("maxDropped") ?? defaults.MaxDroppedPercent,
            GradedLatency = load.Enum<GradedLatency>("gradedLatency", "a latency to grade") ?? defaults.GradedLatency,
            Stress = stress is null
                ? defaults.Stress
                : new StressConfig
                {
                    Vus = stress.Int("vus", 1, LoadConfig.MaxVusLimit) ?? defaults.Stress.Vus,
                    Duration = stress.Duration("duration", TimeSpan.FromSeconds(1)) ?? defaults.Stress.Duration,
                },
        };
        stress?.ReportUnknownKeys();

        var at = load.Has("executor") ? load.Get("executor")! : load.Node;
        switch (executor)
        {
            case ExecutorKind.ConstantArrivalRate when config.Rate is null:
                load.Context.Error(at, load.ChildPath("executor"), "constant-arrival-rate needs 'rate' (iterations per timeUnit)");
                break;
            case ExecutorKind.RampingArrivalRate when stages.Count == 0:
                load.Context.Error(at, load.ChildPath("executor"), "ramping-arrival-rate needs 'stages' (target rates)");
                break;
            case ExecutorKind.PerVuIterations or ExecutorKind.SharedIterations when config.Iterations is null:
                load.Context.Error(at, load.ChildPath("executor"), $"{NameCase.ToKebabCase(executor.ToString())} needs 'iterations'");
                break;
        }

        if (config.PreAllocatedVus is { } pre && config.MaxVus is { } max && max < pre)
            load.Context.Error(load.Get("maxVUs")!, load.ChildPath("maxVUs"), $"maxVUs ({max}) is below preAllocatedVUs ({pre})");
        load.ReportUnknownKeys();
        return config;
    }

    private static List<ThresholdDefinition> ReadK6Thresholds(YamlObject? thresholds, IReadOnlyList<ServiceConfig> services)
    {
        var result = new List<ThresholdDefinition>();
        if (thresholds is null)
            return result;
        foreach (var (key, keyNode, value) in thresholds.Entries())
        {
            var path = thresholds.ChildPath(key);
            MetricSelector selector;
            try
            {
                selector = MetricSelector.Parse(key);
            }
            catch (ThresholdSyntaxException e)
            {
                thresholds.Context.Error(keyNode, path, e.Message, columnOffset: e.Column - 1);
                continue;
            }

            if (UnknownTagValue(selector, services) is var (tagValue, problem, known))
            {
                var suggestion = Suggestions.Closest(tagValue, known);
                var keyQuote = keyNode is YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } ? 1 : 0;
                thresholds.Context.Error(keyNode, path, problem,
                    (suggestion is null ? "" : $"did you mean '{suggestion}'? ") + $"known: {string.Join(", ", known)}",
                    columnOffset: keyQuote + Math.Max(0, key.IndexOf(tagValue, key.IndexOf('{'), StringComparison.Ordinal)));
                continue;
            }

            var items = value is YamlSequenceNode sequence ? sequence.Children.Select((n, i) => (n, $"{path}[{i}]")).ToList() : [(value, path)];
            foreach (var (item, itemPath) in items)
            {
                var expressionNode = item;
                string? text;
                var abortOnFail = false;
                var delay = TimeSpan.Zero;
                if (item is YamlMappingNode)
                {
                    var longForm = YamlObject.From(item, itemPath, thresholds.Context)!;
                    text = longForm.String("threshold", required: true);
                    expressionNode = longForm.Get("threshold") ?? item;
                    abortOnFail = longForm.Bool("abortOnFail") ?? false;
                    delay = longForm.Duration("delayAbortEval") ?? TimeSpan.Zero;
                    longForm.ReportUnknownKeys();
                }
                else
                {
                    text = thresholds.Context.Scalar(item, itemPath, "a threshold such as 'p(95)<2000'");
                }

                if (text is null)
                    continue;
                try
                {
                    result.Add(new ThresholdDefinition(selector, ThresholdExpression.Parse(text, selector.Kind), abortOnFail, delay));
                }
                catch (ThresholdSyntaxException e)
                {
                    var quote = expressionNode is YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } ? 1 : 0;
                    thresholds.Context.Error(expressionNode, itemPath, $"'{text}': {e.Message}", "k6 syntax: p(95)<2000, avg<500, rate<0.05, count>1000", e.Column - 1 + quote);
                }
            }
        }

        return result;
    }

    // A {service:x} or {scenario:x} filter naming nothing that exists would pass as "no data" for ever: refuse it.
    // Steps are named in scenario code, so {step:x} cannot be checked here.
    private static (string Value, string Problem, IReadOnlyList<string> Known)? UnknownTagValue(MetricSelector selector, IReadOnlyList<ServiceConfig> services)
    {
        if (services.Count == 0)
            return null;
        var inScope = services;
        if (selector.Tags.TryGetValue("service", out var service))
        {
            if (services.All(s => s.Name != service))
                return (service, $"the filter names service '{service}', which is not defined", services.Select(s => s.Name).ToList());
            inScope = services.Where(s => s.Name == service).ToList();
        }

        if (selector.Tags.TryGetValue("scenario", out var scenario))
        {
            var known = inScope.SelectMany(s => s.Scenarios.Select(c => c.Name)).Distinct().ToList();
            if (known.Count > 0 && !known.Contains(scenario))
                return (scenario, $"the filter names scenario '{scenario}', which {(service is null ? "no service" : $"service '{service}'")} defines", known);
        }

        return null;
    }

    private static HttpConfig ReadHttp(YamlObject? http)
    {
        var defaults = new HttpConfig();
        if (http is null)
            return defaults;
        var cookies = http.Bool("cookies") ?? false;
        var config = new HttpConfig
        {
            Transport = http.Enum<HttpTransport>("transport", "an HTTP transport") ?? defaults.Transport,
            ConnectionPool = http.Enum<ConnectionPoolKind>("connectionPool", "a connection pool kind") ?? (cookies ? ConnectionPoolKind.PerVu : defaults.ConnectionPool),
            MaxConnections = http.Int("maxConnections", 1, 100_000),
            Timeout = http.Duration("timeout", TimeSpan.FromMilliseconds(1)) ?? defaults.Timeout,
            ConnectTimeout = http.Duration("connectTimeout", TimeSpan.FromMilliseconds(1)) ?? defaults.ConnectTimeout,
            Http2 = http.Bool("http2") ?? false,
            Cookies = cookies,
            Decompression = http.Bool("decompression") ?? false,
        };
        if (cookies && config.ConnectionPool == ConnectionPoolKind.Shared && http.Has("connectionPool"))
            http.Context.Error(http.Get("connectionPool")!, http.ChildPath("connectionPool"), "cookies are kept per VU, so they need connectionPool: per-vu");
        http.ReportUnknownKeys();
        return config;
    }

    private static GateConfig ReadGate(YamlObject? gate, List<ServiceConfig> services)
    {
        var defaults = new GateConfig();
        if (gate is null)
            return defaults;
        var exclude = gate.StringList("exclude", (text, node, path) =>
        {
            var parts = text.Split('/');
            var service = services.FirstOrDefault(s => s.Name == parts[0]);
            string? problem = parts.Length != 2
                ? $"'{text}' is not a scenario reference"
                : service is null
                    ? $"'{text}' refers to service '{parts[0]}', which is not defined"
                    : service.Scenarios.All(s => s.Name != parts[1])
                        ? $"'{text}' refers to scenario '{parts[1]}', which service '{parts[0]}' does not define"
                        : null;
            if (problem is null)
                return true;
            var known = services.SelectMany(s => s.Scenarios.Select(c => $"{s.Name}/{c.Name}")).ToList();
            var suggestion = Suggestions.Closest(text, known);
            gate.Context.Error(node, path, problem, suggestion is not null ? $"did you mean '{suggestion}'?" : "write service/scenario, as declared under services");
            return false;
        });
        var config = new GateConfig
        {
            FailOn = gate.Enum<GateFailOn>("failOn", "a gate policy") ?? defaults.FailOn,
            MinimumEffectPercent = gate.Percent("minimumEffect", 0.1, 1000) ?? defaults.MinimumEffectPercent,
            BaseBranch = gate.String("baseBranch") ?? defaults.BaseBranch,
            Exclude = exclude,
        };
        gate.ReportUnknownKeys();
        return config;
    }

    private static ResultsConfig ReadResults(YamlObject? results)
    {
        var defaults = new ResultsConfig();
        if (results is null)
            return defaults;
        var directory = results.String("directory") ?? defaults.Directory;
        var history = results.Object("history");
        var config = defaults with { Directory = directory };
        if (history is not null)
        {
            config = config with
            {
                HistoryStore = history.Enum<HistoryStoreKind>("store", "a history store") ?? defaults.HistoryStore,
                HistoryPath = history.String("path") ?? defaults.HistoryPath,
                HistoryConnectionString = history.String("connectionString", secret: false),
            };
            if (config.HistoryStore == HistoryStoreKind.Postgres && string.IsNullOrEmpty(config.HistoryConnectionString))
                history.Context.Error(history.Get("store")!, history.ChildPath("store"), "the postgres history store needs 'connectionString'");
            if (history.Get("connectionString") is { } node)
                CheckNoLiteralPassword(node, history.ChildPath("connectionString"), history.Context);
            history.ReportUnknownKeys();
        }

        results.ReportUnknownKeys();
        return config;
    }

    private static DatabaseConfig? ReadDatabase(YamlObject? database)
    {
        if (database is null)
            return null;
        var defaults = new DatabaseConfig { ConnectionString = string.Empty };
        var connectionString = database.String("connectionString", required: true) ?? string.Empty;
        if (database.Get("connectionString") is { } node)
            CheckNoLiteralPassword(node, database.ChildPath("connectionString"), database.Context);
        var slow = database.Object("slowQuery");
        var config = new DatabaseConfig
        {
            ConnectionString = connectionString,
            Password = database.String("password", secret: true),
            StatementTimeout = database.Duration("statementTimeout", TimeSpan.FromMilliseconds(100)) ?? defaults.StatementTimeout,
            SlowQueryMeanTime = slow?.Duration("meanTime", bareMilliseconds: true) ?? defaults.SlowQueryMeanTime,
            SlowQueryCalls = slow?.Int("calls", 1) ?? defaults.SlowQueryCalls,
            LongRunning = database.Duration("longRunning", TimeSpan.FromSeconds(1)) ?? defaults.LongRunning,
        };
        slow?.ReportUnknownKeys();
        database.ReportUnknownKeys();
        return config;
    }

    // A password written into the file would be copied into results and logs; it belongs in the environment.
    private static void CheckNoLiteralPassword(YamlNode node, string path, ConfigContext context)
    {
        if (node is YamlScalarNode { Value: { } raw } && PasswordInConnectionString().Match(raw) is { Success: true } match && !match.Groups[1].Value.TrimStart().StartsWith('$'))
            context.Error(node, path, "the connection string holds a literal password", "take it from the environment: Password=${PGPASSWORD}, or database.password: ${PGPASSWORD}");
    }

    private static DockerConfig? ReadDocker(YamlObject? docker)
    {
        if (docker is null)
            return null;
        var defaults = new DockerConfig();
        var host = docker.String("host") ?? defaults.Host;
        if (!DockerHost().IsMatch(host))
            docker.Context.Error(docker.Get("host")!, docker.ChildPath("host"), $"'{host}' is not a Docker engine address", "write unix:///var/run/docker.sock, tcp://127.0.0.1:2375 or npipe://./pipe/docker_engine");
        var config = new DockerConfig
        {
            Host = host,
            Containers = docker.StringList("containers"),
            SampleInterval = docker.Duration("sampleInterval", TimeSpan.FromMilliseconds(100)) ?? defaults.SampleInterval,
        };
        docker.ReportUnknownKeys();
        return config;
    }

    private static List<FrontendConfig> ReadFrontends(YamlObject root)
    {
        var frontends = new List<FrontendConfig>();
        foreach (var (node, path) in root.List("frontends"))
        {
            var frontend = YamlObject.From(node, path, root.Context);
            if (frontend is null)
                continue;
            var name = frontend.String("name", required: true);
            if (name is not null && frontends.Any(f => f.Name == name))
                root.Context.Error(frontend.Get("name")!, frontend.ChildPath("name"), $"duplicate frontend name '{name}'");
            var url = frontend.Url("url", true, HttpSchemes);
            var pages = frontend.StringList("pages", (page, pageNode, pagePath) =>
            {
                if (page.StartsWith('/'))
                    return true;
                root.Context.Error(pageNode, pagePath, $"'{page}' is not a path", "start it with /");
                return false;
            });
            var runs = frontend.Int("runs", 1, 50) ?? 3;
            frontend.ReportUnknownKeys();
            if (name is not null && url is not null)
                frontends.Add(new FrontendConfig { Name = name, Url = url, Pages = pages.Count > 0 ? pages : ["/"], Runs = runs });
        }

        return frontends;
    }

    private static AlertsConfig? ReadAlerts(YamlObject? alerts)
    {
        if (alerts is null)
            return null;
        AlertRule? Rule(string key, bool milliseconds)
        {
            var rule = alerts.Object(key);
            if (rule is null)
                return null;
            var threshold = milliseconds ? rule.Duration("threshold", bareMilliseconds: true, required: true)?.TotalMilliseconds : rule.Percent("threshold");
            if (!milliseconds && threshold is null && !rule.Has("threshold"))
                rule.Missing("threshold");
            var channels = new List<AlertChannel>();
            foreach (var (node, path) in rule.List("channels"))
            {
                var text = alerts.Context.Scalar(node, path, "a channel");
                var channel = Enum.GetValues<AlertChannel>().Cast<AlertChannel?>().FirstOrDefault(c => c.ToString()!.Equals(text, StringComparison.OrdinalIgnoreCase));
                if (channel is null && text is not null)
                    alerts.Context.Error(node, path, $"'{text}' is not an alert channel", "allowed: slack, email, pagerduty, webhook");
                else if (channel is not null)
                    channels.Add(channel.Value);
            }

            rule.ReportUnknownKeys();
            return threshold is null ? null : new AlertRule(threshold.Value, channels);
        }

        var webhook = alerts.String("webhookUrl", secret: true);
        if (!string.IsNullOrEmpty(webhook) && !(Uri.TryCreate(webhook, UriKind.Absolute, out var uri) && HttpSchemes.Contains(uri.Scheme)))
            alerts.Context.Error(alerts.Get("webhookUrl")!, alerts.ChildPath("webhookUrl"), "the webhook URL is not a valid http(s) URL", "take it from the environment: ${SLACK_WEBHOOK_URL}");
        var config = new AlertsConfig
        {
            ResponseTime = Rule("responseTime", milliseconds: true),
            ErrorRate = Rule("errorRate", milliseconds: false),
            CpuUsage = Rule("cpuUsage", milliseconds: false),
            WebhookUrl = string.IsNullOrEmpty(webhook) ? null : webhook,
        };
        alerts.ReportUnknownKeys();
        return config;
    }

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

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex ServiceName();

    [GeneratedRegex(@"(?:^|;)\s*password\s*=([^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordInConnectionString();

    [GeneratedRegex(@"^(unix://.+|tcp://[^/\s]+|npipe://.+|https?://[^/\s]+)$")]
    private static partial Regex DockerHost();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
