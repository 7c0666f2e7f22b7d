using YamlDotNet.RepresentationModel;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Core.Thresholds;

namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
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
}
