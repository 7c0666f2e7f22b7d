using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Table and index cache hit rates during the load (all time when the load read nothing): good from 99 %, critical under 95 %.</summary>
public sealed class CacheHitRates : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var (what, rate) in new[] { ("table", e.TableCacheHitPercent), ("index", e.IndexCacheHitPercent) })
        {
            if (rate is < 99)
            {
                yield return new DbFinding("cache-hit-rate", rate < 95 ? Severity.Critical : Severity.Warning, $"{what} cache hit rate {rate:0.##} % (good from 99 %)",
                    $"blocks found in shared_buffers against blocks read, during the load; {e.StatisticsAge}", "raise shared_buffers (see ./build.sh Optimize) or add the missing indexes");
            }
        }
    }
}
