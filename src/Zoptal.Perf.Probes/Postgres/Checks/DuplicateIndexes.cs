using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Plain indexes another index of the same method covers: its columns are a prefix of the other's (or equal, the later name reported).</summary>
public sealed class DuplicateIndexes : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var index in e.After.Indexes.Where(i => i.Plain && !i.Unique && !i.Primary))
        {
            var covering = e.After.Indexes.FirstOrDefault(o => o.Name != index.Name && o.Schema == index.Schema && o.Table == index.Table && o.Plain && o.Method == index.Method
                && (o.Columns.StartsWith(index.Columns + " ", StringComparison.Ordinal) || (o.Columns == index.Columns && string.CompareOrdinal(o.Name, index.Name) < 0)));
            if (covering is not null)
            {
                yield return new DbFinding("duplicate-index", Severity.Warning, $"index {index.Name} is covered by {covering.Name}",
                    $"{index.Definition}; {covering.Definition}", $"DROP INDEX CONCURRENTLY {index.Schema}.{index.Name};");
            }
        }
    }
}
