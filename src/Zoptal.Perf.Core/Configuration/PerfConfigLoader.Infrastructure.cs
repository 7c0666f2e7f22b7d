using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
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
}
