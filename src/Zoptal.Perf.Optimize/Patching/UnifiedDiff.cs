using System.Text;

namespace Zoptal.Perf.Optimize.Patching;

/// <summary>A unified diff (<c>diff -u</c>, three lines of context) between two texts, line by line.</summary>
public static class UnifiedDiff
{
    public static string Create(string path, string before, string after)
    {
        var a = Lines(before);
        var b = Lines(after);
        // Longest common subsequence table; config files are small.
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var ops = new List<(char Op, string Line, int A, int B)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
                ops.Add((' ', a[x], x++, y++));
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
                ops.Add(('-', a[x], x++, y));
            else
                ops.Add(('+', b[y], x, y++));
        }

        var output = new StringBuilder();
        output.Append("--- a/").Append(path).Append('\n').Append("+++ b/").Append(path).Append('\n');
        const int context = 3;
        for (var k = 0; k < ops.Count; k++)
        {
            if (ops[k].Op == ' ')
                continue;
            var start = Math.Max(0, k - context);
            var end = k;
            // Extend the hunk while changes are closer than two contexts apart.
            for (var m = k; m < ops.Count; m++)
            {
                if (ops[m].Op != ' ')
                    end = m;
                else if (m - end > 2 * context)
                    break;
            }

            end = Math.Min(ops.Count - 1, end + context);
            var hunk = ops.GetRange(start, end - start + 1);
            var aStart = hunk[0].A + 1;
            var bStart = hunk[0].B + 1;
            var aCount = hunk.Count(o => o.Op != '+');
            var bCount = hunk.Count(o => o.Op != '-');
            output.Append($"@@ -{(aCount == 0 ? aStart - 1 : aStart)},{aCount} +{(bCount == 0 ? bStart - 1 : bStart)},{bCount} @@\n");
            foreach (var (op, line, _, _) in hunk)
                output.Append(op).Append(line).Append('\n');
            k = end;
        }

        return output.ToString();
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
