using Zoptal.Perf.Core.Thresholds;

namespace Zoptal.Perf.Core.Tests.Thresholds;

public sealed class ThresholdExpressionTests
{
    [Theory]
    [InlineData("http_req_duration", "p(95)<2000", "p", 95.0, ThresholdOperator.Less, 2000.0)]
    [InlineData("http_req_duration", " avg <= 500 ", "avg", null, ThresholdOperator.LessOrEqual, 500.0)]
    [InlineData("latency", "p(99.99)<1000", "p", 99.99, ThresholdOperator.Less, 1000.0)]
    [InlineData("http_req_failed", "rate<0.05", "rate", null, ThresholdOperator.Less, 0.05)]
    [InlineData("checks", "rate>0.99", "rate", null, ThresholdOperator.Greater, 0.99)]
    [InlineData("iterations", "count>1000", "count", null, ThresholdOperator.Greater, 1000.0)]
    [InlineData("dropped_iterations", "count===0", "count", null, ThresholdOperator.Equal, 0.0)]
    [InlineData("vus", "value!=0", "value", null, ThresholdOperator.NotEqual, 0.0)]
    public void Parses_k6_expressions(string metric, string text, string aggregation, double? percentile, ThresholdOperator op, double value)
    {
        var threshold = ThresholdDefinition.Parse(metric, text);
        Assert.Equal((aggregation, percentile, op, value), (threshold.Expression.Aggregation, threshold.Expression.Percentile, threshold.Expression.Operator, threshold.Expression.Value));
    }

    [Theory]
    [InlineData("http_req_duration", "p(95<2000", 5, "expected ')'")]
    [InlineData("http_req_duration", "p(101)<2000", 3, "percentile from 0 to 100")]
    [InlineData("http_req_duration", "avg 500", 5, "expected an operator")]
    [InlineData("http_req_duration", "avg<", 5, "expected a number")]
    [InlineData("http_req_duration", "rate<0.1", 1, "'rate' does not apply to a trend metric")]
    [InlineData("http_req_duration", "p(95)<2000ms", 11, "unexpected 'ms'")]
    [InlineData("checks", "count>1", 1, "'count' does not apply to a rate metric")]
    [InlineData("http_req_duration", "<2000", 1, "expected an aggregation")]
    public void Malformed_expressions_point_at_the_column(string metric, string text, int column, string message)
    {
        var exception = Assert.Throws<ThresholdSyntaxException>(() => ThresholdDefinition.Parse(metric, text));
        Assert.Equal(column, exception.Column);
        Assert.Contains(message, exception.Message);
    }

    [Fact]
    public void Selectors_take_tag_filters()
    {
        var selector = MetricSelector.Parse("http_req_duration{scenario:login,step:submit}");
        Assert.Equal("http_req_duration", selector.Metric);
        Assert.Equal("login", selector.Tags["scenario"]);
        Assert.Equal("submit", selector.Tags["step"]);
        Assert.Equal("http_req_duration{scenario:login,step:submit}", selector.ToString());
    }

    [Theory]
    [InlineData(1999.9, true)]
    [InlineData(2000, false)]
    public void Evaluates_the_comparison(double actual, bool passes) =>
        Assert.Equal(passes, ThresholdDefinition.Parse("http_req_duration", "p(95)<2000").Expression.IsSatisfiedBy(actual));
}
