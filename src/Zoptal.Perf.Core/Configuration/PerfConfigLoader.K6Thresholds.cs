using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Zoptal.Perf.Core.Text;
using Zoptal.Perf.Core.Thresholds;

namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
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
}
