using Zoptal.Perf.Reporting.Regression;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>The verdicts on synthetic per-second p95 samples (ms), seeded so every run sees the same numbers.</summary>
public sealed class RegressionTests
{
    private static double[] Sample(int count, double median, double noise, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => median * Math.Exp(noise * Normal(random)))];
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void The_same_distribution_is_Same()
    {
        var result = RegressionAnalyzer.Compare("auth", null, Sample(40, 150, 0.05, 1), Sample(200, 150, 0.05, 2), 10);
        Assert.Equal(Verdict.Same, result.Verdict);
        Assert.InRange(result.EffectPercent, -3, 3);
        Assert.Contains("Mann-Whitney", result.Method);
    }

    [Fact]
    public void Twenty_percent_slower_is_Slower_with_its_effect()
    {
        var result = RegressionAnalyzer.Compare("auth", "login", Sample(40, 180, 0.05, 3), Sample(200, 150, 0.05, 4), 10);
        Assert.Equal(Verdict.Slower, result.Verdict);
        Assert.InRange(result.EffectPercent, 15, 25);
        Assert.Equal("auth/login", result.Name);
    }

    [Fact]
    public void Twenty_percent_faster_is_Faster()
    {
        Assert.Equal(Verdict.Faster, RegressionAnalyzer.Compare("auth", null, Sample(40, 120, 0.05, 5), Sample(200, 150, 0.05, 6), 10).Verdict);
    }

    [Fact]
    public void Noisy_but_equal_is_Same_and_so_is_a_small_real_change_below_the_minimum_effect()
    {
        Assert.Equal(Verdict.Same, RegressionAnalyzer.Compare("ai", null, Sample(40, 500, 0.4, 7), Sample(200, 500, 0.4, 8), 10).Verdict);
        Assert.Equal(Verdict.Same, RegressionAnalyzer.Compare("ai", null, Sample(40, 157, 0.02, 9), Sample(200, 150, 0.02, 10), 10).Verdict);
    }

    [Fact]
    public void A_single_stalled_second_does_not_make_a_run_Slower()
    {
        var current = Sample(40, 150, 0.05, 11);
        current[7] = 5000;
        Assert.Equal(Verdict.Same, RegressionAnalyzer.Compare("auth", null, current, Sample(200, 150, 0.05, 12), 10).Verdict);
    }

    [Fact]
    public void Too_few_seconds_are_Unknown()
    {
        var result = RegressionAnalyzer.Compare("auth", null, Sample(5, 300, 0.05, 13), Sample(200, 150, 0.05, 14), 10);
        Assert.Equal(Verdict.Unknown, result.Verdict);
        Assert.Contains("too few seconds", result.Method);
    }
}
