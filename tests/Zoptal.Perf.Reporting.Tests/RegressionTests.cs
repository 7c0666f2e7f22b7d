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
    public void A_small_real_change_below_the_minimum_effect_is_Same_because_its_whole_interval_is_within_it()
    {
        var result = RegressionAnalyzer.Compare("ai", null, Sample(40, 157, 0.02, 9), Sample(200, 150, 0.02, 10), 10);
        Assert.Equal(Verdict.Same, result.Verdict);
        Assert.InRange(result.EffectLowPercent, 0, result.EffectPercent);
        Assert.InRange(result.EffectHighPercent, result.EffectPercent, 10);
    }

    [Fact]
    public void Noisy_seconds_that_cannot_rule_out_the_minimum_effect_are_Inconclusive_not_Same()
    {
        // As the issue measured it: 25 s against 50 s of noisy per-second p95, a real +30 % slowdown.
        var result = RegressionAnalyzer.Compare("ai", null, Sample(25, 650, 0.4, 7), Sample(50, 500, 0.4, 8), 10);
        Assert.Equal(Verdict.Inconclusive, result.Verdict);
        Assert.True(result.EffectLowPercent < 10 && result.EffectHighPercent > 10, $"{result.EffectLowPercent} to {result.EffectHighPercent}");
        Assert.InRange(result.DetectablePercent, 40, 400);                   // what this comparison could have seen
        Assert.NotNull(result.SecondsNeeded);
        Assert.InRange(result.SecondsNeeded!.Value, 250, 20_000);           // how long a run detects 10 %
        Assert.Contains("needs about", result.Evidence);

        // Equal but noisy is no more "Same" than that.
        Assert.Equal(Verdict.Inconclusive, RegressionAnalyzer.Compare("ai", null, Sample(40, 500, 0.4, 17), Sample(200, 500, 0.4, 18), 10).Verdict);
    }

    [Fact]
    public void A_run_long_enough_for_its_noise_reaches_a_verdict_and_needs_no_longer_run()
    {
        var slower = RegressionAnalyzer.Compare("ai", null, Sample(1000, 650, 0.4, 19), Sample(2000, 500, 0.4, 20), 10);
        Assert.Equal(Verdict.Slower, slower.Verdict);
        Assert.True(slower.DetectablePercent < 10, $"{slower.DetectablePercent}");
        Assert.Null(slower.SecondsNeeded);
    }

    [Fact]
    public void The_method_names_the_alpha_the_interval_applies()
    {
        var result = RegressionAnalyzer.Compare("auth", null, Sample(40, 150, 0.05, 1), Sample(200, 150, 0.05, 2), 10);
        Assert.Contains("alpha 1e-5", result.Method);
        Assert.Contains("99.999 % interval", result.Method);
        Assert.Equal(1e-5, RegressionAnalyzer.Alpha);
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
