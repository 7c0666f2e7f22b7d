using Perfolizer.Mathematics.Common;
using Perfolizer.Mathematics.SignificanceTesting;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Regression;

/// <summary>How a service or scenario compares with its baseline.</summary>
public enum Verdict
{
    /// <summary>Too few seconds on one side to say anything.</summary>
    Unknown,

    /// <summary>Faster than the baseline by at least the minimum effect, and significantly so.</summary>
    Faster,

    /// <summary>No significant change of at least the minimum effect.</summary>
    Same,

    /// <summary>Slower than the baseline by at least the minimum effect, and significantly so.</summary>
    Slower,
}

/// <summary>
/// The comparison of one service (scenario null) or scenario with its baseline: the medians of the per-second p95
/// latencies (ms), the effect (their change in percent, + is slower), the number of seconds on each side, and the
/// method that decided (the test, its threshold and alpha), for the report.
/// </summary>
public sealed record RegressionResult(string Service, string? Scenario, Verdict Verdict, double CurrentMedian, double BaselineMedian, double EffectPercent,
    int CurrentSamples, int BaselineSamples, string Method)
{
    /// <summary><c>auth</c> or <c>auth/login</c>.</summary>
    public string Name => Scenario is null ? Service : $"{Service}/{Scenario}";
}

/// <summary>
/// Decides Faster, Same or Slower per service and scenario of the load phase, the way BenchmarkDotNet's statistical
/// test column does: a Mann-Whitney equivalence test (Perfolizer) on the per-second p95 latencies of the current run
/// against those of the baseline runs, with the minimum effect as the equivalence threshold and a strict alpha.
/// A difference must be both significant and at least the minimum effect; fewer than
/// <see cref="MinimumSamples"/> seconds on either side gives Unknown. One noisy second cannot move the verdict:
/// the test works on ranks.
/// </summary>
public static class RegressionAnalyzer
{
    /// <summary>Seconds needed on each side.</summary>
    public const int MinimumSamples = 8;

    /// <summary>The significance level; strict, because seconds of one run are not independent.</summary>
    public const double Alpha = 1e-5;

    private static readonly SimpleEquivalenceTest Test = new(MannWhitneyTest.Instance);

    /// <summary>Compares every service and scenario of the current run's load phase with the baseline runs' series.</summary>
    public static IReadOnlyList<RegressionResult> Compare(RunSummary current, RunSeries currentSeries, IReadOnlyList<RunSeries> baseline, double minimumEffectPercent)
    {
        var results = new List<RegressionResult>();
        if (baseline.Count == 0)
            return results;
        foreach (var phase in current.Phases.Where(p => p.Name == PhaseSummary.Load))
        {
            foreach (var service in phase.Services)
            {
                results.Add(Compare(service.Name, null, Samples(currentSeries, service.Name, null), baseline.SelectMany(b => Samples(b, service.Name, null)).ToArray(), minimumEffectPercent));
                foreach (var scenario in service.Scenarios)
                {
                    results.Add(Compare(service.Name, scenario.Name, Samples(currentSeries, service.Name, scenario.Name),
                        baseline.SelectMany(b => Samples(b, service.Name, scenario.Name)).ToArray(), minimumEffectPercent));
                }
            }
        }

        return results;
    }

    /// <summary>Compares two samples of per-second latencies (ms).</summary>
    public static RegressionResult Compare(string service, string? scenario, double[] current, double[] baseline, double minimumEffectPercent)
    {
        var method = $"Mann-Whitney, threshold {minimumEffectPercent:0.#}%, alpha {Alpha:0e0}, n={current.Length} vs {baseline.Length} seconds";
        if (current.Length < MinimumSamples || baseline.Length < MinimumSamples)
        {
            return new RegressionResult(service, scenario, Verdict.Unknown, Median(current), Median(baseline), double.NaN, current.Length, baseline.Length,
                $"too few seconds with requests (need {MinimumSamples} on each side, have {current.Length} and {baseline.Length})");
        }

        var currentMedian = Median(current);
        var baselineMedian = Median(baseline);
        var effect = baselineMedian > 0 ? 100 * (currentMedian - baselineMedian) / baselineMedian : 0;
        var threshold = Threshold.Parse(FormattableString.Invariant($"{minimumEffectPercent}%"));
        var comparison = Test.Perform(new Sample(current), new Sample(baseline), threshold, new SignificanceLevel(Alpha));
        // The test already demands a shift beyond the threshold; the median effect must agree, so a verdict never
        // reads "Slower, -3 %".
        var verdict = comparison switch
        {
            ComparisonResult.Greater when effect >= minimumEffectPercent => Verdict.Slower,
            ComparisonResult.Lesser when effect <= -minimumEffectPercent => Verdict.Faster,
            ComparisonResult.Unknown => Verdict.Unknown,
            _ => Verdict.Same,
        };
        if (verdict == Verdict.Same && Math.Abs(effect) >= minimumEffectPercent)
            method += "; the medians differ, but the seconds overlap too much for the difference to be significant";
        return new RegressionResult(service, scenario, verdict, currentMedian, baselineMedian, effect, current.Length, baseline.Length, method);
    }

    private static double[] Samples(RunSeries series, string service, string? scenario) =>
        series.Of(PhaseSummary.Load, service, scenario).Where(p => p.Requests > 0).Select(p => p.P95).ToArray();

    /// <summary>The median; NaN for no values.</summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
