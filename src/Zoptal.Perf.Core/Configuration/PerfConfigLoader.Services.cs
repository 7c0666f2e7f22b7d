using YamlDotNet.RepresentationModel;
using Zoptal.Perf.Core.Thresholds;

namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
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
}
