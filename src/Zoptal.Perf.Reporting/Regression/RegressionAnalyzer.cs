using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Regression;

/// <summary>How a service or scenario compares with its baseline.</summary>
public enum Verdict
{
    /// <summary>Too few seconds on one side to say anything.</summary>
    Unknown,

    /// <summary>Faster than the baseline by at least the minimum effect, and significantly so.</summary>
    Faster,

    /// <summary>The change lies within ± the minimum effect: its whole confidence interval does.</summary>
    Same,

    /// <summary>Slower than the baseline by at least the minimum effect, and significantly so.</summary>
    Slower,

    /// <summary>Neither: the confidence interval reaches past the minimum effect, so the run cannot tell.</summary>
    Inconclusive,
}

/// <summary>
/// The comparison of one service (scenario null) or scenario with its baseline, on the statistic the verdict used:
/// the per-second p95 latencies (ms). The medians of each side, the effect (the Hodges-Lehmann shift of the
/// logarithms as a change in percent, + is slower) with its confidence interval, the smallest slowdown this comparison
/// could have detected, the seconds of load a run needs to detect the minimum effect, the number of seconds on each
/// side, and the method (test, alpha, minimum effect) for the report.
/// </summary>
public sealed record RegressionResult(string Service, string? Scenario, Verdict Verdict, double CurrentMedian, double BaselineMedian, double EffectPercent,
    int CurrentSamples, int BaselineSamples, string Method)
{
    /// <summary><c>auth</c> or <c>auth/login</c>.</summary>
    public string Name => Scenario is null ? Service : $"{Service}/{Scenario}";

    /// <summary>The lower end of the effect's confidence interval (percent); NaN when unknown, -100 or less when unbounded.</summary>
    public double EffectLowPercent { get; init; } = double.NaN;

    /// <summary>The upper end of the effect's confidence interval (percent); NaN when unknown, +∞ when unbounded.</summary>
    public double EffectHighPercent { get; init; } = double.NaN;

    /// <summary>
    /// The smallest slowdown (percent) this comparison would have called Slower four times in five: the minimum
    /// detectable effect at the test's alpha and 80 % power. +∞ when no effect could be detected.
    /// </summary>
    public double DetectablePercent { get; init; } = double.NaN;

    /// <summary>
    /// The seconds of load this run (and each baseline run, in proportion) would need for the detectable effect to reach
    /// the minimum effect; null when it already does, or when the variability is unknown.
    /// </summary>
    public int? SecondsNeeded { get; init; }

    /// <summary>The minimum effect (percent) the verdict was decided against.</summary>
    public double MinimumEffectPercent { get; init; }

    /// <summary>
    /// The numbers behind the verdict in one sentence: <c>+12.3 % (interval -4.1 to +31.0 %); detects a slowdown of
    /// 35 % or more; detecting 10 % needs about 520 s of load per run (this run: 40 s)</c>. For Unknown, why.
    /// </summary>
    public string Evidence
    {
        get
        {
            if (Verdict == Verdict.Unknown)
                return Method;
            var text = FormattableString.Invariant($"{Signed(EffectPercent)} % (interval {Signed(EffectLowPercent)} to {Signed(EffectHighPercent)} %); ")
                + (double.IsFinite(DetectablePercent)
                    ? FormattableString.Invariant($"detects a slowdown of {DetectablePercent:0.#} % or more")
                    : "too few or too uniform seconds to detect any slowdown");
            return SecondsNeeded is { } seconds
                ? text + FormattableString.Invariant($"; detecting {MinimumEffectPercent:0.#} % needs about {seconds:#,0} s of load per run (this run: {CurrentSamples} s)")
                : text;
        }
    }

    private static string Signed(double percent) => double.IsFinite(percent)
        ? percent.ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture)
        : percent > 0 ? "+∞" : "-∞";
}

/// <summary>
/// Decides Faster, Same, Slower or Inconclusive per service and scenario of the load phase, on the per-second p95
/// latencies of the current run against those of the baseline runs. The effect is the Hodges-Lehmann shift of the
/// logarithms (a ratio: latency changes multiply) with the confidence interval that inverts the two-sided
/// Mann-Whitney test at <see cref="Alpha"/> (<see cref="ShiftEstimate"/>). Slower (Faster) needs both significance
/// (the interval excludes no change) and an effect of at least the minimum effect; Same needs the whole interval within
/// ± the minimum effect; anything else is Inconclusive, with the smallest effect the comparison could have detected
/// and the run length needed for the minimum effect. Fewer than <see cref="MinimumSamples"/> seconds on either side
/// gives Unknown. One noisy second cannot move the verdict: the test works on ranks.
/// </summary>
public static class RegressionAnalyzer
{
    /// <summary>Seconds needed on each side.</summary>
    public const int MinimumSamples = 8;

    /// <summary>
    /// The significance level of the two-sided test, which is the interval's 1 - alpha; strict, because the seconds of
    /// one run are not independent (a slow minute is several slow seconds) and a noisy run must not fail a release.
    /// </summary>
    public const double Alpha = 1e-5;

    /// <summary>The power the detectable effect is stated at.</summary>
    public const double Power = 0.8;

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
        var method = FormattableString.Invariant(
            $"Hodges-Lehmann shift with the Mann-Whitney {100 * (1 - Alpha):0.###} % interval (alpha {Alpha:0e0}, two-sided), minimum effect {minimumEffectPercent:0.#} %, n={current.Length} vs {baseline.Length} seconds");
        if (current.Length < MinimumSamples || baseline.Length < MinimumSamples)
        {
            return new RegressionResult(service, scenario, Verdict.Unknown, Median(current), Median(baseline), double.NaN, current.Length, baseline.Length,
                $"too few seconds with requests (need {MinimumSamples} on each side, have {current.Length} and {baseline.Length})")
            { MinimumEffectPercent = minimumEffectPercent };
        }

        // On logarithms: a shift is a ratio, the same for a 10 ms and a 1 s endpoint. A p95 of 0 (sub-resolution) is 1 µs.
        var x = current.Select(Log).ToArray();
        var y = baseline.Select(Log).ToArray();
        var estimate = ShiftEstimate.Of(x, y, Alpha);
        var (effect, low, high) = (Percent(estimate.Shift), Percent(estimate.Low), Percent(estimate.High));
        var verdict = (low > 0 && effect >= minimumEffectPercent) ? Verdict.Slower
            : (high < 0 && effect <= -minimumEffectPercent) ? Verdict.Faster
            : (low > -minimumEffectPercent && high < minimumEffectPercent) ? Verdict.Same
            : Verdict.Inconclusive;

        // The detectable effect from the interval's width (its standard error), or from the samples' spread where the
        // interval is unbounded; the run length from the standard error's 1/sqrt(n).
        var z = ShiftEstimate.NormalQuantile(1 - Alpha / 2);
        var standardError = estimate.Bounded ? (estimate.High - estimate.Low) / (2 * z) : SpreadStandardError(x, y);
        var detectableLog = standardError * (z + ShiftEstimate.NormalQuantile(Power));
        var targetLog = Math.Log(1 + minimumEffectPercent / 100);
        int? needed = detectableLog > targetLog && double.IsFinite(detectableLog) && detectableLog > 0
            ? (int)Math.Min(int.MaxValue, Math.Ceiling(current.Length * Math.Pow(detectableLog / targetLog, 2)))
            : null;
        return new RegressionResult(service, scenario, verdict, Median(current), Median(baseline), effect, current.Length, baseline.Length, method)
        {
            EffectLowPercent = low,
            EffectHighPercent = high,
            DetectablePercent = Percent(detectableLog),
            SecondsNeeded = needed,
            MinimumEffectPercent = minimumEffectPercent,
        };
    }

    // The Hodges-Lehmann shift's asymptotic standard error for normal data, sigma * sqrt(pi/3 * (1/m + 1/n)), with sigma
    // the pooled MAD of each side around its median; +∞ when every second is the same (no spread to estimate from).
    private static double SpreadStandardError(double[] x, double[] y)
    {
        var (mx, my) = (Median(x), Median(y));
        var sigma = 1.4826 * Median(x.Select(v => Math.Abs(v - mx)).Concat(y.Select(v => Math.Abs(v - my))));
        return sigma > 0 ? sigma * Math.Sqrt(Math.PI / 3 * (1.0 / x.Length + 1.0 / y.Length)) : double.PositiveInfinity;
    }

    private static double Log(double milliseconds) => Math.Log(Math.Max(milliseconds, 1e-3));

    private static double Percent(double logShift) => 100 * (Math.Exp(logShift) - 1);

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
