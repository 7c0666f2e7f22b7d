using System.Text.Json;
using System.Text.RegularExpressions;

namespace Zoptal.Perf.Probes.Postgres;

/// <summary>
/// A sequential scan that filters: the table, the filter as the plan prints it, the planner's row estimate, and the
/// index keys for the filter's equality and range conditions (a column, or an expression such as <c>lower(email)</c>
/// when the filter compares a function of the column).
/// </summary>
public sealed record FilteredSeqScan(string? Schema, string Table, string Filter, IReadOnlyList<string> Keys, double PlanRows);

/// <summary>Reads <c>EXPLAIN (FORMAT JSON)</c> output for sequential scans with a filter, the plans an index would change.</summary>
public static partial class PlanReader
{
    /// <summary>Every filtered sequential scan in a plan, outermost first.</summary>
    public static IReadOnlyList<FilteredSeqScan> FilteredSeqScans(string planJson)
    {
        using var document = JsonDocument.Parse(planJson);
        var scans = new List<FilteredSeqScan>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.TryGetProperty("Plan", out var plan))
                Walk(plan, scans);
        }

        return scans;
    }

    private static void Walk(JsonElement node, List<FilteredSeqScan> scans)
    {
        if (node.TryGetProperty("Node Type", out var type) && type.GetString() == "Seq Scan"
            && node.TryGetProperty("Filter", out var filter) && node.TryGetProperty("Relation Name", out var relation))
        {
            var text = filter.GetString() ?? "";
            var keys = Keys(text);
            if (keys.Count > 0)
            {
                scans.Add(new FilteredSeqScan(node.TryGetProperty("Schema", out var schema) ? schema.GetString() : null, relation.GetString()!, text, keys,
                    node.TryGetProperty("Plan Rows", out var rows) ? rows.GetDouble() : 0));
            }
        }

        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
                Walk(child, scans);
        }
    }

    /// <summary>
    /// The index keys of a filter: the left side of each comparison with a parameter or constant, equality first
    /// (an index serves equality before ranges), at most two, as PgHero's suggestions stop at two columns.
    /// <c>(lower(email) = lower($1))</c> gives <c>lower(email)</c>; <c>((user_id)::text = $1)</c> gives <c>user_id</c>.
    /// </summary>
    public static IReadOnlyList<string> Keys(string filter)
    {
        var equality = new List<string>();
        var range = new List<string>();
        foreach (Match match in Comparison().Matches(filter))
        {
            var function = match.Groups["function"].Success ? match.Groups["function"].Value : null;
            var column = match.Groups["column"].Value;
            var key = function is null ? column : $"{function}({column})";
            var list = match.Groups["op"].Value == "=" ? equality : range;
            if (!equality.Contains(key) && !range.Contains(key))
                list.Add(key);
        }

        return [.. equality.Concat(range).Take(2)];
    }

    // A column (maybe cast, maybe inside lower()/upper()) compared with a parameter, a constant or another expression.
    [GeneratedRegex(@"(?:(?<function>lower|upper)\()?\(*(?<column>[a-z_][a-z0-9_]*)\)*(?:::[a-z ]+)?\)?\s*(?<op>=|<=|>=|<|>)\s*(?:\$\d|'|\d|lower\(|upper\(|\()", RegexOptions.IgnoreCase)]
    private static partial Regex Comparison();
}
