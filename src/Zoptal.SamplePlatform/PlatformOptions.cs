using System.Globalization;
using System.Net;

namespace Zoptal.SamplePlatform;

/// <summary>How the sample platform is started.</summary>
public sealed record PlatformOptions
{
    /// <summary>The services, in the order they start.</summary>
    public static readonly string[] ServiceNames = ["auth", "project", "ai", "billing", "notification", "analytics"];

    /// <summary>The loopback address every service listens on.</summary>
    public IPAddress Host { get; init; } = IPAddress.Loopback;

    /// <summary>Port per service; 0 lets the system choose a free one.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = ServiceNames.ToDictionary(s => s, _ => 0);

    /// <summary>PBKDF2 iterations for password hashes: what makes a login cost CPU.</summary>
    public int KdfIterations { get; init; } = 20_000;

    /// <summary>Seed of the simulated latencies (AI models, builds).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The environment variable with a PostgreSQL connection string: set, the platform keeps its data there.</summary>
    public const string PostgresVariable = "ZOPTAL_SAMPLE_POSTGRES";

    /// <summary>PostgreSQL connection string (from <see cref="PostgresVariable"/>, never the command line); null: memory.</summary>
    public string? PostgresConnectionString { get; init; } = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs ? cs : null;

    /// <summary>Stop when standard input closes, so the platform never outlives the build that started it.</summary>
    public bool WatchStandardInput { get; init; }

    /// <summary>Parses the command line; a bad argument is an <see cref="ArgumentException"/> naming it.</summary>
    public static PlatformOptions Parse(IReadOnlyList<string> args)
    {
        var options = new PlatformOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--watch-stdin")
            {
                options = options with { WatchStandardInput = true };
                continue;
            }

            if (i + 1 >= args.Count)
                throw new ArgumentException($"{name} needs a value.");
            var value = args[++i];
            options = name switch
            {
                "--host" => options with { Host = ParseHost(value) },
                "--ports" => options with { Ports = ParsePorts(value, options.Ports) },
                "--kdf-iterations" => options with { KdfIterations = ParseInt(name, value, 1, 10_000_000) },
                "--seed" => options with { Seed = ParseInt(name, value, int.MinValue, int.MaxValue) },
                _ => throw new ArgumentException($"Unknown option '{name}'. Options: --host, --ports, --kdf-iterations, --seed, --watch-stdin."),
            };
        }

        return options;
    }

    private static IPAddress ParseHost(string value)
    {
        if (!IPAddress.TryParse(value, out var address) || !IPAddress.IsLoopback(address))
            throw new ArgumentException($"--host '{value}' is not a loopback address: the sample platform listens on loopback only.");
        return address;
    }

    private static Dictionary<string, int> ParsePorts(string value, IReadOnlyDictionary<string, int> defaults)
    {
        var ports = new Dictionary<string, int>(defaults);
        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=');
            if (parts.Length != 2 || !ServiceNames.Contains(parts[0]))
                throw new ArgumentException($"--ports: '{pair}' is not service=port with a service of {string.Join(", ", ServiceNames)}.");
            ports[parts[0]] = ParseInt("--ports", parts[1], 0, 65535);
        }

        return ports;
    }

    private static int ParseInt(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name} '{value}' is not a whole number from {min} to {max}.");
}
