namespace Zoptal.Perf.Load.Execution;

/// <summary>
/// Smooth weighted round robin over indexes: exact proportions over every window of sum(weights) picks.
/// Not thread-safe: each has one owner (a VU, or the single dispatcher thread).
/// </summary>
internal sealed class WeightedPicker(int[] weights)
{
    private readonly int[] _current = new int[weights.Length];
    private readonly int _total = weights.Sum();

    public int Next()
    {
        var best = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            _current[i] += weights[i];
            if (_current[i] > _current[best])
                best = i;
        }

        _current[best] -= _total;
        return best;
    }
}
