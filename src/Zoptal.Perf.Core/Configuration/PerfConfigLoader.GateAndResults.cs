using Zoptal.Perf.Core.Text;

namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
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
}
