using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Tables with rows not vacuumed for a week, or never.</summary>
public sealed class VacuumAge : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var table in e.After.Tables.Where(t => t.LiveRows > 0 && (t.LastVacuum is null || e.After.TakenAt - t.LastVacuum > TimeSpan.FromDays(7))))
        {
            yield return new DbFinding("vacuum", Severity.Info,
                $"{table.Name} {(table.LastVacuum is null ? "has never been vacuumed" : $"was last vacuumed {PgText.Age(e.After.TakenAt - table.LastVacuum.Value)} ago")}", $"{table.LiveRows:#,0} live rows");
        }
    }
}
