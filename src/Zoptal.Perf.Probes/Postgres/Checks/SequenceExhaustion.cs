using Zoptal.Perf.Core;
namespace Zoptal.Perf.Probes.Postgres.Checks;

/// <summary>Sequences past 90 % of their maximum (critical past 99 %).</summary>
public sealed class SequenceExhaustion : IDatabaseCheck
{
    public IEnumerable<DbFinding> Check(DatabaseEvidence e, IReadOnlyList<DbFinding> earlier)
    {
        foreach (var sequence in e.After.Sequences)
        {
            if (For(sequence.Schema, sequence.Name, sequence.LastValue, sequence.MaxValue) is { } finding)
                yield return finding;
        }
    }

    /// <summary>A sequence's finding from its last and maximum values; null below 90 % of the maximum.</summary>
    public static DbFinding? For(string schema, string name, long lastValue, long maxValue) =>
        maxValue > 0 && (double)lastValue / maxValue > 0.9
            ? new DbFinding("sequence", (double)lastValue / maxValue > 0.99 ? Severity.Critical : Severity.Warning,
                $"sequence {name} is {100.0 * lastValue / maxValue:0.#} % used", $"last value {lastValue:#,0} of {maxValue:#,0}",
                $"ALTER SEQUENCE {schema}.{name} AS bigint; -- and widen the column it feeds")
            : null;
}
