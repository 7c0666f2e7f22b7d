using System.Globalization;

namespace Zoptal.Perf.Core.Thresholds;

/// <summary>How a metric aggregates, as in k6: trends (durations), rates (fractions), counters, gauges.</summary>
public enum MetricKind
{
    /// <summary>A distribution in milliseconds: avg, min, max, med, p(N).</summary>
    Trend,

    /// <summary>A fraction of true values: rate.</summary>
    Rate,

    /// <summary>A sum: count, and rate per second.</summary>
    Counter,

    /// <summary>A current value: value (its last sample, as k6 reads it), or max (the highest sample, ours).</summary>
    Gauge,
}

/// <summary>The metrics thresholds can name: k6's, plus latency, latency_corrected, service_time and schedule_lag.</summary>
public static class BuiltInMetrics
{
    /// <summary>Metric name to kind.</summary>
    public static readonly IReadOnlyDictionary<string, MetricKind> Kinds = new Dictionary<string, MetricKind>
    {
        ["http_req_duration"] = MetricKind.Trend,
        ["latency"] = MetricKind.Trend,
        ["latency_corrected"] = MetricKind.Trend,
        ["service_time"] = MetricKind.Trend,
        ["schedule_lag"] = MetricKind.Trend,
        ["iteration_duration"] = MetricKind.Trend,
        ["http_req_failed"] = MetricKind.Rate,
        ["checks"] = MetricKind.Rate,
        ["http_reqs"] = MetricKind.Counter,
        ["iterations"] = MetricKind.Counter,
        ["dropped_iterations"] = MetricKind.Counter,
        ["data_sent"] = MetricKind.Counter,
        ["data_received"] = MetricKind.Counter,
        ["vus"] = MetricKind.Gauge,
        ["vus_max"] = MetricKind.Gauge,
    };
}

/// <summary>Comparison operators of k6's threshold grammar.</summary>
public enum ThresholdOperator
{
    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,

    /// <summary><c>==</c> or <c>===</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,
}

/// <summary>A malformed threshold; <see cref="Column"/> is 1-based within the text.</summary>
public sealed class ThresholdSyntaxException(string message, int column) : FormatException(message)
{
    /// <summary>Where in the text the problem is (1-based).</summary>
    public int Column { get; } = column;
}

/// <summary>
/// One k6 threshold expression: <c>&lt;aggregation&gt; &lt;operator&gt; &lt;value&gt;</c>, such as <c>p(95)&lt;2000</c>,
/// <c>avg &lt; 500</c>, <c>rate&lt;0.05</c>, <c>count&gt;1000</c>. Durations are milliseconds.
/// </summary>
public sealed record ThresholdExpression(string Aggregation, double? Percentile, ThresholdOperator Operator, double Value, string Text)
{
    /// <summary>Parses an expression for a metric of the given kind.</summary>
    public static ThresholdExpression Parse(string text, MetricKind kind)
    {
        var i = 0;
        SkipSpaces(text, ref i);
        var start = i;
        while (i < text.Length && char.IsAsciiLetter(text[i]))
            i++;
        var aggregation = text[start..i];
        if (aggregation.Length == 0)
            throw new ThresholdSyntaxException($"expected an aggregation ({Allowed(kind)})", start + 1);
        double? percentile = null;
        if (aggregation == "p")
        {
            if (i >= text.Length || text[i] != '(')
                throw new ThresholdSyntaxException("expected '(' after p, as in p(95)", i + 1);
            i++;
            var numberStart = i;
            var number = ReadNumber(text, ref i);
            if (number is null or < 0 or > 100)
                throw new ThresholdSyntaxException("expected a percentile from 0 to 100, as in p(99.9)", numberStart + 1);
            if (i >= text.Length || text[i] != ')')
                throw new ThresholdSyntaxException("expected ')' to close p(", i + 1);
            i++;
            percentile = number;
        }

        if (!IsAllowed(aggregation, kind))
            throw new ThresholdSyntaxException($"'{aggregation}' does not apply to a {kind.ToString().ToLowerInvariant()} metric; use {Allowed(kind)}", start + 1);

        SkipSpaces(text, ref i);
        var operatorStart = i;
        var op = ReadOperator(text, ref i)
                 ?? throw new ThresholdSyntaxException("expected an operator: <, <=, >, >=, ==, === or !=", operatorStart + 1);
        SkipSpaces(text, ref i);
        var valueStart = i;
        var value = ReadNumber(text, ref i) ?? throw new ThresholdSyntaxException("expected a number", valueStart + 1);
        SkipSpaces(text, ref i);
        if (i < text.Length)
            throw new ThresholdSyntaxException($"unexpected '{text[i..]}'", i + 1);
        return new ThresholdExpression(aggregation, percentile, op, value, text.Trim());
    }

    /// <summary>Whether an aggregated value passes.</summary>
    public bool IsSatisfiedBy(double actual) => Operator switch
    {
        ThresholdOperator.Less => actual < Value,
        ThresholdOperator.LessOrEqual => actual <= Value,
        ThresholdOperator.Greater => actual > Value,
        ThresholdOperator.GreaterOrEqual => actual >= Value,
        ThresholdOperator.Equal => actual == Value,
        _ => actual != Value,
    };

    private static bool IsAllowed(string aggregation, MetricKind kind) => kind switch
    {
        MetricKind.Trend => aggregation is "avg" or "min" or "max" or "med" or "p",
        MetricKind.Rate => aggregation is "rate",
        MetricKind.Counter => aggregation is "count" or "rate",
        _ => aggregation is "value" or "max",
    };

    private static string Allowed(MetricKind kind) => kind switch
    {
        MetricKind.Trend => "avg, min, max, med or p(N)",
        MetricKind.Rate => "rate",
        MetricKind.Counter => "count or rate",
        _ => "value or max",
    };

    private static ThresholdOperator? ReadOperator(string text, ref int i)
    {
        foreach (var (token, op) in new[]
                 {
                     ("===", ThresholdOperator.Equal), ("==", ThresholdOperator.Equal), ("!=", ThresholdOperator.NotEqual),
                     ("<=", ThresholdOperator.LessOrEqual), (">=", ThresholdOperator.GreaterOrEqual),
                     ("<", ThresholdOperator.Less), (">", ThresholdOperator.Greater),
                 })
        {
            if (string.CompareOrdinal(text, i, token, 0, token.Length) == 0)
            {
                i += token.Length;
                return op;
            }
        }

        return null;
    }

    private static double? ReadNumber(string text, ref int i)
    {
        var start = i;
        if (i < text.Length && text[i] is '-' or '+')
            i++;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            i++;
        if (double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return value;
        i = start;
        return null;
    }

    private static void SkipSpaces(string text, ref int i)
    {
        while (i < text.Length && text[i] == ' ')
            i++;
    }
}

/// <summary>A metric reference with an optional tag filter: <c>http_req_duration{scenario:login}</c>.</summary>
public sealed record MetricSelector(string Metric, MetricKind Kind, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Tags a filter may name.</summary>
    public static readonly IReadOnlyList<string> KnownTags = ["scenario", "step", "service"];

    /// <summary>Parses <c>name</c> or <c>name{tag:value,tag:value}</c>.</summary>
    public static MetricSelector Parse(string text)
    {
        var brace = text.IndexOf('{');
        var name = (brace < 0 ? text : text[..brace]).Trim();
        if (!BuiltInMetrics.Kinds.TryGetValue(name, out var kind))
        {
            var suggestion = Text.Suggestions.Closest(name, BuiltInMetrics.Kinds.Keys);
            throw new ThresholdSyntaxException(
                $"unknown metric '{name}'" + (suggestion is null ? $"; known: {string.Join(", ", BuiltInMetrics.Kinds.Keys)}" : $"; did you mean '{suggestion}'?"), 1);
        }

        var tags = new Dictionary<string, string>();
        if (brace >= 0)
        {
            if (!text.EndsWith('}'))
                throw new ThresholdSyntaxException("expected '}' to close the tag filter", text.Length + 1);
            var offset = brace + 1;
            foreach (var pair in text[(brace + 1)..^1].Split(','))
            {
                var colon = pair.IndexOf(':');
                var key = colon < 0 ? pair.Trim() : pair[..colon].Trim();
                if (colon < 0 || key.Length == 0 || pair[(colon + 1)..].Trim().Length == 0)
                    throw new ThresholdSyntaxException("expected tag:value in the filter", offset + 1);
                if (!KnownTags.Contains(key))
                    throw new ThresholdSyntaxException($"unknown tag '{key}'; use {string.Join(", ", KnownTags)}", offset + 1);
                tags[key] = pair[(colon + 1)..].Trim();
                offset += pair.Length + 1;
            }
        }

        return new MetricSelector(name, kind, tags);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Tags.Count == 0 ? Metric : $"{Metric}{{{string.Join(",", Tags.Select(t => $"{t.Key}:{t.Value}"))}}}";
}

/// <summary>A threshold as configured: a metric selector, an expression, and k6's abort options.</summary>
public sealed record ThresholdDefinition(MetricSelector Selector, ThresholdExpression Expression, bool AbortOnFail = false, TimeSpan DelayAbortEval = default)
{
    /// <summary>Parses a short-form threshold: <c>("http_req_duration", "p(95)&lt;2000")</c>.</summary>
    public static ThresholdDefinition Parse(string metric, string expression, bool abortOnFail = false, TimeSpan delayAbortEval = default)
    {
        var selector = MetricSelector.Parse(metric);
        return new ThresholdDefinition(selector, ThresholdExpression.Parse(expression, selector.Kind), abortOnFail, delayAbortEval);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Selector}: {Expression.Text}";
}
