using Zoptal.Perf.Reporting.Regression;

namespace Zoptal.Perf.Reporting.Tests;

/// <summary>The Hodges-Lehmann shift and its interval against brute force, and the interval's coverage.</summary>
public sealed class ShiftEstimateTests
{
    private static double[] Normal(Random random, int count, double mean) =>
        [.. Enumerable.Range(0, count).Select(_ => mean + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))];

    [Theory]
    [InlineData(7, 5, 0.05)]
    [InlineData(30, 40, 0.01)]
    [InlineData(12, 90, 0.001)]
    public void The_estimate_and_interval_are_the_sorted_pairwise_differences_at_the_critical_ranks(int m, int n, double alpha)
    {
        var random = new Random(m * 1000 + n);
        var x = Normal(random, m, 0.3);
        var y = Normal(random, n, 0);
        // Ties, as HDR-rounded latencies have them.
        x[0] = y[0];
        var pairs = x.SelectMany(a => y.Select(b => a - b)).Order().ToArray();
        var estimate = ShiftEstimate.Of(x, y, alpha);

        var median = (pairs[(pairs.Length - 1) / 2] + pairs[pairs.Length / 2]) / 2;
        Assert.Equal(median, estimate.Shift, 9);
        var cut = (long)Math.Floor(pairs.Length / 2.0 - ShiftEstimate.NormalQuantile(1 - alpha / 2) * Math.Sqrt((double)m * n * (m + n + 1) / 12));
        if (cut < 0)
        {
            Assert.False(estimate.Bounded);
            return;
        }

        Assert.Equal(pairs[cut], estimate.Low, 9);
        Assert.Equal(pairs[pairs.Length - 1 - cut], estimate.High, 9);
    }

    [Fact]
    public void A_95_percent_interval_covers_the_true_shift_about_95_times_in_100()
    {
        var random = new Random(42);
        var covered = 0;
        const int trials = 400;
        for (var i = 0; i < trials; i++)
        {
            var estimate = ShiftEstimate.Of(Normal(random, 25, 0.5), Normal(random, 50, 0), 0.05);
            if (estimate.Low <= 0.5 && 0.5 <= estimate.High)
                covered++;
        }

        Assert.InRange(covered, 0.92 * trials, 0.98 * trials);
    }

    [Fact]
    public void Samples_too_small_for_the_alpha_give_an_unbounded_interval()
    {
        var estimate = ShiftEstimate.Of([1, 2, 3], [1, 2, 3], 1e-5);
        Assert.False(estimate.Bounded);
        Assert.Equal(0, estimate.Shift, 9);
    }

    [Theory]
    [InlineData(0.975, 1.959963985)]
    [InlineData(0.8, 0.841621234)]
    [InlineData(0.999995, 4.417173413)]
    [InlineData(0.01, -2.326347874)]
    public void The_normal_quantile_matches_the_tables(double p, double z) =>
        Assert.Equal(z, ShiftEstimate.NormalQuantile(p), 6);
}
