using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Tables with rows not analyzed for a week, or never: the planner's row estimates may be off.</summary>
public sealed class AnalyzeAge : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var table in e.After.Tables.Where(t => t.LiveRows > 0 && (t.LastAnalyze is null || e.After.TakenAt - t.LastAnalyze > TimeSpan.FromDays(7))))
        {
            yield return new DbFinding("analyze", Severity.Info, $"{table.Name} {(table.LastAnalyze is null ? "has never been analyzed" : $"was last analyzed {PgText.Age(e.After.TakenAt - table.LastAnalyze.Value)} ago")}",
                $"{table.LiveRows:#,0} live rows; the planner's row estimates may be off", $"ANALYZE {table.Schema}.{table.Name};");
        }
    }
}
