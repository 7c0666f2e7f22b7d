using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Load.Execution;

/// <summary>When each iteration of an open-model run is due, as an offset from the run's start, exactly as k6 schedules it.</summary>
internal sealed class ArrivalSchedule(Func<long, TimeSpan?> offsetOf)
{
    private const double Epsilon = 1e-9;

    /// <summary>The offset of iteration <paramref name="index"/> (from 0), or null when the schedule has ended.</summary>
    public TimeSpan? OffsetOf(long index) => offsetOf(index);

    /// <summary>
    /// k6's constant-arrival-rate: <c>rate</c> iterations per <c>timeUnit</c>, the first at 0 and one every
    /// timeUnit/rate while the offset is under the duration (3/s for 1.5 s: 0, 0.33, 0.67, 1, 1.33 s, five).
    /// </summary>
    public static ArrivalSchedule Constant(LoadConfig load)
    {
        var perSecond = (load.Rate ?? 1) / load.TimeUnit.TotalSeconds;
        var total = (long)Math.Ceiling(perSecond * load.Duration.TotalSeconds - Epsilon);
        return new ArrivalSchedule(i => i < total ? TimeSpan.FromSeconds(i / perSecond) : null);
    }

    /// <summary>
    /// k6's ramping-arrival-rate: the rate moves linearly through the stages from <c>rate</c> (startRate, or 0), and
    /// iteration k (from 0) is due when the integral of the rate reaches k + 1, solved exactly per stage (k6's
    /// <c>cal</c>): from 0 to 10/s over 10 s the first is due at √2 = 1.414 s; at a flat rate r, at 1/r.
    /// </summary>
    public static ArrivalSchedule Ramping(LoadConfig load)
    {
        var unit = load.TimeUnit.TotalSeconds;
        var segments = new List<(double Start, double Duration, double From, double To, double Before, double End)>();
        double from = (load.Rate ?? 0) / unit, at = 0, count = 0;
        foreach (var stage in load.Stages)
        {
            var to = stage.Target / unit;
            var duration = stage.Duration.TotalSeconds;
            var end = count + (from + to) / 2 * duration;
            segments.Add((at, duration, from, to, count, end));
            count = end;
            at += duration;
            from = to;
        }

        return new ArrivalSchedule(index =>
        {
            var area = index + 1.0;
            foreach (var (start, duration, r0, r1, before, end) in segments)
            {
                if (area > end + Epsilon || end - before < Epsilon)
                    continue;
                var k = area - before;
                var t = Math.Abs(r1 - r0) < 1e-12
                    ? k / r1
                    : (r0 * duration - Math.Sqrt(Math.Max(0, duration * (r0 * r0 * duration + 2 * k * (r1 - r0))))) / (r0 - r1);
                return TimeSpan.FromSeconds(start + Math.Clamp(t, 0, duration));
            }

            return null;
        });
    }
}
