using System.Text.Json;

namespace Zoptal.Perf.Load.Scenarios;

/// <summary>How a feed hands out its items.</summary>
public enum FeedStrategy
{
    /// <summary>In order, starting over at the end.</summary>
    Circular,

    /// <summary>A random item each time (seeded, so runs repeat).</summary>
    Random,

    /// <summary>Each item once; then the feed is exhausted.</summary>
    Unique,
}

/// <summary>Raised when a unique feed has no items left; the VU's iteration ends and is counted as failed.</summary>
public sealed class FeedExhaustedException(string feed) : InvalidOperationException($"The unique data feed '{feed}' has no items left.");

/// <summary>Test data for scenarios (users, payloads): thread-safe, from a list, a CSV file or a JSON file.</summary>
public sealed class DataFeed<T>
{
    private readonly IReadOnlyList<T> _items;
    private readonly FeedStrategy _strategy;
    private readonly System.Random _random;
    private long _next = -1;

    /// <summary>Creates a feed over items.</summary>
    public DataFeed(string name, IReadOnlyList<T> items, FeedStrategy strategy, int seed = 42)
    {
        if (items.Count == 0)
            throw new ArgumentException($"The data feed '{name}' is empty.", nameof(items));
        Name = name;
        _items = items;
        _strategy = strategy;
        _random = new System.Random(seed);
    }

    /// <summary>The feed's name.</summary>
    public string Name { get; }

    /// <summary>How many items it holds.</summary>
    public int Count => _items.Count;

    /// <summary>The next item.</summary>
    public T Next()
    {
        switch (_strategy)
        {
            case FeedStrategy.Random:
                lock (_random)
                    return _items[_random.Next(_items.Count)];
            case FeedStrategy.Unique:
                var index = Interlocked.Increment(ref _next);
                return index < _items.Count ? _items[(int)index] : throw new FeedExhaustedException(Name);
            default:
                return _items[(int)(Interlocked.Increment(ref _next) % _items.Count)];
        }
    }
}

/// <summary>Creates feeds.</summary>
public static class DataFeed
{
    /// <summary>A feed over an in-memory list.</summary>
    public static DataFeed<T> FromList<T>(string name, IReadOnlyList<T> items, FeedStrategy strategy = FeedStrategy.Circular) => new(name, items, strategy);

    /// <summary>A feed over a CSV file with a header row; each item maps column names to values. Quoted fields may hold commas and "".</summary>
    public static DataFeed<IReadOnlyDictionary<string, string>> FromCsv(string path, FeedStrategy strategy = FeedStrategy.Circular)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count < 2)
            throw new InvalidDataException($"{path}: a CSV feed needs a header row and at least one data row.");
        var header = SplitCsv(lines[0]);
        var rows = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 1; i < lines.Count; i++)
        {
            var fields = SplitCsv(lines[i]);
            if (fields.Count != header.Count)
                throw new InvalidDataException($"{path}:{i + 1}: {fields.Count} fields where the header has {header.Count}.");
            rows.Add(header.Zip(fields).ToDictionary(p => p.First, p => p.Second));
        }

        return new DataFeed<IReadOnlyDictionary<string, string>>(Path.GetFileName(path), rows, strategy);
    }

    /// <summary>A feed over a JSON file holding an array of items.</summary>
    public static DataFeed<T> FromJson<T>(string path, FeedStrategy strategy = FeedStrategy.Circular, JsonSerializerOptions? options = null)
    {
        List<T>? items;
        try
        {
            items = JsonSerializer.Deserialize<List<T>>(File.ReadAllText(path), options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: {e.Message}", e);
        }

        return new DataFeed<T>(Path.GetFileName(path), items ?? [], strategy);
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
