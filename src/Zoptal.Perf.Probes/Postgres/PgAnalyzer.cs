using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Probes.Postgres.Checks;

namespace Zoptal.Perf.Probes.Postgres;

/// <summary>
/// Turns the snapshots around a load phase into findings, with PgHero's and postgresqltuner's thresholds (see
/// docs/database-analysis.md). Counter-based verdicts carry the age of the statistics; an index is not called unused
/// on statistics younger than a week.
/// </summary>
public static class PgAnalyzer
{
    /// <summary>Statistics younger than this cannot call an index unused.</summary>
    public static readonly TimeSpan UnusedIndexEvidence = TimeSpan.FromDays(7);

    /// <summary>How many statements by total time the report lists.</summary>
    public const int TopQueries = 10;

    /// <summary>How many statements by total time are explained for index candidates (an EXPLAIN without ANALYZE costs milliseconds).</summary>
    public const int ExplainedQueries = 25;

    /// <summary>The statements the load ran: after minus before, by query id, busiest first.</summary>
    public static IReadOnlyList<QueryStat> Delta(PgSnapshot before, PgSnapshot after)
    {
        var earlier = before.Statements.GroupBy(s => s.QueryId).ToDictionary(g => g.Key, g => g.First());
        return [.. after.Statements.Select(s =>
            {
                var b = earlier.GetValueOrDefault(s.QueryId);
                var calls = s.Calls - (b?.Calls ?? 0);
                var total = s.TotalMs - (b?.TotalMs ?? 0);
                var hit = s.BlocksHit - (b?.BlocksHit ?? 0);
                var read = s.BlocksRead - (b?.BlocksRead ?? 0);
                return new QueryStat(s.Query, calls, total, calls > 0 ? total / calls : 0, s.Rows - (b?.Rows ?? 0), hit + read > 0 ? 100.0 * hit / (hit + read) : null);
            })
            .Where(q => q.Calls > 0)
            .OrderByDescending(q => q.TotalMs)];
    }

    /// <summary>The checks, in the order they run (a check sees what the ones before it found).</summary>
    public static IReadOnlyList<IDatabaseCheck> Checks { get; } =
    [
        new StatementsAvailable(), new SlowQueries(), new PlannedMissingIndexes(), new ScanHeavyTables(), new CacheHitRates(), new ConnectionUsage(),
        new IdleInTransaction(), new LongRunningQueries(), new BlockedQueries(), new UnusedIndexes(), new DuplicateIndexes(), new SequenceExhaustion(),
        new VacuumAge(), new AnalyzeAge(),
    ];

    /// <summary>Everything the snapshots, the sessions seen during the load and the plans of the busiest statements show.</summary>
    public static DatabaseReport Analyze(string server, PgCapabilities capabilities, DatabaseConfig config, PgSnapshot before, PgSnapshot after,
        IReadOnlyList<ActivitySample> activity, IReadOnlyDictionary<string, string?> plans)
    {
        var evidence = new DatabaseEvidence(capabilities, config, before, after, activity, plans);
        var findings = new List<DbFinding>();
        foreach (var check in Checks)
            findings.AddRange(check.Check(evidence, findings).ToList());
        var queries = evidence.Queries;
        return new DatabaseReport(server, capabilities.Version, after.StatsReset, capabilities.Statements, [.. queries.Take(TopQueries)],
            evidence.TableCacheHitPercent, evidence.IndexCacheHitPercent, evidence.PeakConnections, evidence.MaxConnections, [.. findings.OrderByDescending(f => f.Severity)])
        {
            SlowestQueries = [.. queries.Where(q => q.Calls >= 2).OrderByDescending(q => q.MeanMs).Take(TopQueries)],
        };
    }
}
