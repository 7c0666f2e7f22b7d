using System.Globalization;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>One rule of the database analysis: findings from the evidence, given what the checks before it found.</summary>
public interface IDatabaseCheck
{
    IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier);
}

/// <summary>
/// What the analysis sees: the server's capabilities and the config's limits, the snapshots before and after the load,
/// the sessions sampled during it, the plans of the busiest statements, and what follows from them (the statements
/// the load ran, the cache hit rates, the peak of sessions, the age of the statistics).
/// </summary>
public sealed record DatabaseEvidence(PgCapabilities Capabilities, DatabaseConfig Config, PgSnapshot Before, PgSnapshot After,
    IReadOnlyList<ActivitySample> Activity, IReadOnlyDictionary<string, string?> Plans)
{
    /// <summary>The statements the load ran, busiest first.</summary>
    public IReadOnlyList<QueryStat> Queries { get; } = PgAnalyzer.Delta(Before, After);

    /// <summary>The table cache hit rate during the load (all time when the load read nothing); null without reads.</summary>
    public double? TableCacheHitPercent { get; } = Rate(After.HeapHit - Before.HeapHit, After.HeapRead - Before.HeapRead) ?? Rate(After.HeapHit, After.HeapRead);

    /// <summary>The index cache hit rate, as <see cref="TableCacheHitPercent"/>.</summary>
    public double? IndexCacheHitPercent { get; } = Rate(After.IndexHit - Before.IndexHit, After.IndexRead - Before.IndexRead) ?? Rate(After.IndexHit, After.IndexRead);

    /// <summary>The most sessions sampled at once.</summary>
    public int PeakConnections => Activity.Count == 0 ? 0 : Activity.Max(s => s.Total);

    /// <summary><c>max_connections</c>, as sampled.</summary>
    public int MaxConnections => Activity.Count == 0 ? 0 : Activity.Max(s => s.MaxConnections);

    /// <summary>How old the statistics are; null when they were never reset.</summary>
    public TimeSpan? StatisticsAgeSpan => After.StatsReset is { } reset ? After.TakenAt - reset : null;

    /// <summary>The age in words, for evidence: <c>statistics reset 3 days ago</c>.</summary>
    public string StatisticsAge => StatisticsAgeSpan is { } a ? $"statistics reset {PgText.Age(a)} ago" : "statistics never reset";

    /// <summary>Whether a statement is slow by the config's mean time.</summary>
    public bool IsSlow(QueryStat query) => query.MeanMs >= Config.SlowQueryMeanTime.TotalMilliseconds;

    private static double? Rate(long hit, long read) => hit + read > 0 ? 100.0 * hit / (hit + read) : null;
}

/// <summary>Numbers in findings' words.</summary>
internal static class PgText
{
    public static string Ms(double ms) => ms.ToString(ms >= 100 ? "#,0" : "0.##", CultureInfo.InvariantCulture) + " ms";

    public static string Age(TimeSpan age) => age.TotalDays >= 2 ? $"{age.TotalDays:0} days" : age.TotalHours >= 2 ? $"{age.TotalHours:0} hours" : $"{Math.Max(1, age.TotalMinutes):0} minutes";
}
