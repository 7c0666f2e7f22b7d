using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Core.Tests.Configuration;

public sealed class InterpolationTests
{
    private static readonly Dictionary<string, string> Environment = new() { ["HOST"] = "127.0.0.1", ["EMPTY"] = "" };

    [Theory]
    [InlineData("http://${HOST}:3001", "http://127.0.0.1:3001")]
    [InlineData("${MISSING:-fallback}", "fallback")]
    [InlineData("${EMPTY:-fallback}", "fallback")]
    [InlineData("${HOST:-fallback}", "127.0.0.1")]
    [InlineData("${MISSING:-}", "")]
    [InlineData("cost: $$5", "cost: $5")]
    [InlineData("plain $ sign", "plain $ sign")]
    public void Replaces_variables_and_defaults(string text, string expected) =>
        Assert.Equal(expected, Interpolation.Apply(text, Environment).Value);

    [Theory]
    [InlineData("x ${MISSING}", 2, "environment variable 'MISSING' is not set")]
    [InlineData("${HOST", 0, "'${' is not closed")]
    [InlineData("a${1BAD}", 1, "'1BAD' is not an environment variable name")]
    public void Reports_problems_at_their_offset(string text, int offset, string error)
    {
        var result = Interpolation.Apply(text, Environment);
        Assert.Equal(error, result.Error);
        Assert.Equal(offset, result.ErrorOffset);
    }
}
