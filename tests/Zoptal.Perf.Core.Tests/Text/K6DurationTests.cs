using Zoptal.Perf.Core.Text;

namespace Zoptal.Perf.Core.Tests.Text;

public sealed class K6DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m30s", 150_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("250us", 0.25)]
    [InlineData("0", 0)]
    public void Parses_what_k6_accepts(string text, double milliseconds) =>
        Assert.Equal(milliseconds, K6Duration.Parse(text).TotalMilliseconds);

    [Theory]
    [InlineData("5 minutes", "unknown unit ' minutes'")]
    [InlineData("300", "the number 300 has no unit")]
    [InlineData("", "a duration is empty")]
    [InlineData("m5", "expected a number at position 1")]
    [InlineData("5x", "unknown unit 'x'")]
    public void Rejects_anything_else_with_a_reason(string text, string reason)
    {
        Assert.False(K6Duration.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        Assert.Contains("such as 500ms, 30s, 5m or 1h30m", Assert.Throws<FormatException>(() => K6Duration.Parse(text)).Message);
    }

    [Theory]
    [InlineData(300_000, "5m")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(500, "500ms")]
    [InlineData(90_500, "1m30.5s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(0, "0s")]
    public void Formats_like_k6_and_round_trips(double milliseconds, string text)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);
        Assert.Equal(text, K6Duration.Format(value));
        Assert.Equal(value, K6Duration.Parse(text));
    }
}
