using System.Globalization;
namespace Zoptal.Perf.Core.Configuration;

/// <summary>perf-config.yml, parsed, interpolated and validated: the one file that drives every target.</summary>
public sealed record PerfConfig
{
    /// <summary>The file it was read from.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Schema version of the file (1).</summary>
    public int Version { get; init; } = 1;

    /// <summary>The services under test.</summary>
    public required IReadOnlyList<ServiceConfig> Services { get; init; }

    /// <summary>The load profile.</summary>
    public required LoadConfig Load { get; init; }

    /// <summary>The grading table (good/warning/critical) for every service, before per-service overrides.</summary>
    public required ThresholdTable Thresholds { get; init; }

    /// <summary>When the release gate fails.</summary>
    public required GateConfig Gate { get; init; }

    /// <summary>Where results and history go.</summary>
    public required ResultsConfig Results { get; init; }

    /// <summary>PostgreSQL analysis; null when not configured.</summary>
    public DatabaseConfig? Database { get; init; }

    /// <summary>Container profiling; null when not configured.</summary>
    public DockerConfig? Docker { get; init; }

    /// <summary>Frontend pages to time in Chromium.</summary>
    public IReadOnlyList<FrontendConfig> Frontends { get; init; } = [];

    /// <summary>Alert rules; null when not configured.</summary>
    public AlertsConfig? Alerts { get; init; }

    /// <summary>What Optimize reads.</summary>
    public required OptimizeConfig Optimize { get; init; }

    /// <summary>The grading table for a service: the global one with the service's overrides.</summary>
    /// <summary>The results folder: <c>results.directory</c> resolved against the config file's folder (an absolute path stays).</summary>
    public string ResultsRoot => Path.GetFullPath(Results.Directory, Path.GetDirectoryName(SourcePath) ?? Directory.GetCurrentDirectory());
}

/// <summary>A service under test.</summary>
public sealed record ServiceConfig
{
    /// <summary>Unique name (auth, project, ...).</summary>
    public required string Name { get; init; }

    /// <summary>True when the build starts the embedded sample platform for it (<c>baseUrl: embedded</c>).</summary>
    public bool Embedded { get; init; }

    /// <summary>The base address; null for an embedded service until the platform has started.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>Path of the health check, checked before any load.</summary>
    public string HealthPath { get; init; } = "/health";

    /// <summary>
    /// Hosts other than loopback that may be load-tested. A base URL whose host is neither loopback nor listed here
    /// is refused before any request, so nobody load-tests production by accident.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>The watched container (in the <c>docker</c> section) this service runs in: when it stops, this service's load stops.</summary>
    public string? Container { get; init; }

    /// <summary>Where <see cref="Container"/> is written, for errors.</summary>
    public SourcePosition? ContainerAt { get; init; }

    /// <summary>Where the base URL is written, for errors about it.</summary>
    public SourcePosition? BaseUrlAt { get; init; }

    /// <summary>Scenarios with weights, run as a mix.</summary>
    public IReadOnlyList<ScenarioConfig> Scenarios { get; init; } = [];

    /// <summary>The grading table with this service's overrides applied.</summary>
    public required ThresholdTable Thresholds { get; init; }
}

/// <summary>A scenario of a service: compiled in C# (<c>name</c> only) or declared with <c>requests</c>.</summary>
public sealed record ScenarioConfig
{
    /// <summary>Name, unique within the service.</summary>
    public required string Name { get; init; }

    /// <summary>Relative weight in the mix.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Requests of a declared scenario; empty for a compiled one.</summary>
    public IReadOnlyList<RequestConfig> Requests { get; init; } = [];

    /// <summary>Grading overrides for this scenario.</summary>
    public ThresholdTable? Thresholds { get; init; }

    /// <summary>Where the scenario's name is written, for errors about it.</summary>
    public SourcePosition? NameAt { get; init; }
}

/// <summary>A place in the config file: 1-based line and column, and the path of the value there.</summary>
public sealed record SourcePosition(int Line, int Column, string Path)
{
    /// <summary>An error at this place of <paramref name="file"/>.</summary>
    public ConfigError Error(string file, string message, string? hint = null) => new(file, Line, Column, Path, message, hint);
}

/// <summary>One request of a declared scenario.</summary>
public sealed record RequestConfig
{
    /// <summary>Name used in metrics; defaults to <c>METHOD path</c>.</summary>
    public required string Name { get; init; }

    /// <summary>HTTP method.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Path relative to the service's base URL.</summary>
    public required string Path { get; init; }

    /// <summary>Request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Request body.</summary>
    public string? Body { get; init; }

    /// <summary>Expected status code (k6-style check); null accepts any 2xx.</summary>
    public int? ExpectStatus { get; init; }

    /// <summary>Text the body must contain.</summary>
    public string? ExpectBodyContains { get; init; }
}

/// <summary>The k6 executors.</summary>
public enum ExecutorKind
{
    /// <summary>A fixed number of looping VUs.</summary>
    ConstantVus,

    /// <summary>VUs ramped through stages.</summary>
    RampingVus,

    /// <summary>Each VU runs a fixed number of iterations.</summary>
    PerVuIterations,

    /// <summary>VUs share a fixed number of iterations.</summary>
    SharedIterations,

    /// <summary>Iterations started at a fixed rate (open model).</summary>
    ConstantArrivalRate,

    /// <summary>Iteration rate ramped through stages (open model).</summary>
    RampingArrivalRate,
}

/// <summary>A stage: ramp to <see cref="Target"/> over <see cref="Duration"/>.</summary>
public sealed record StageConfig(TimeSpan Duration, int Target);

/// <summary>What an arrival-rate run does with an iteration that is due while every VU up to maxVUs is busy.</summary>
public enum SaturationPolicy
{
    /// <summary>wrk2's truth: it waits in the backlog for a free VU, and its latency counts from when it was due.</summary>
    Wait,

    /// <summary>k6's behaviour: it is dropped and counted in dropped_iterations; its latency is never measured.</summary>
    Drop,
}

/// <summary>Which latency the good/warning/critical table grades.</summary>
public enum GradedLatency
{
    /// <summary>Corrected for coordinated omission in closed models (the same as measured in open models).</summary>
    Corrected,

    /// <summary>As measured: from each request's intended start (open models) or its call (closed models).</summary>
    Measured,
}

/// <summary>The load profile.</summary>
public sealed record LoadConfig
{
    /// <summary>The most VUs a phase may have, in the file, on the command line and in the environment alike.</summary>
    public const int MaxVusLimit = 100_000;

    /// <summary>The executor.</summary>
    public ExecutorKind Executor { get; init; } = ExecutorKind.RampingVus;

    /// <summary>Virtual users (default 50).</summary>
    public int Vus { get; init; } = 50;

    /// <summary>Duration at load (default 300s).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Ramp-up before the plateau for ramping-vus when no stages are given.</summary>
    public TimeSpan RampUp { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Ramp-down after the plateau for ramping-vus when no stages are given.</summary>
    public TimeSpan RampDown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Explicit stages; when empty, ramping-vus uses ramp-up, plateau and ramp-down.</summary>
    public IReadOnlyList<StageConfig> Stages { get; init; } = [];

    /// <summary>Iterations for the iteration executors.</summary>
    public int? Iterations { get; init; }

    /// <summary>Iterations per <see cref="TimeUnit"/> for constant-arrival-rate, the start rate for ramping-arrival-rate.</summary>
    public int? Rate { get; init; }

    /// <summary>The rate's time unit.</summary>
    public TimeSpan TimeUnit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>VUs allocated before an arrival-rate run.</summary>
    public int? PreAllocatedVus { get; init; }

    /// <summary>Most VUs an arrival-rate run may allocate.</summary>
    public int? MaxVus { get; init; }

    /// <summary>Time given to running iterations at the end.</summary>
    public TimeSpan GracefulStop { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time given to iterations of VUs removed during a ramp-down.</summary>
    public TimeSpan GracefulRampDown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause between iterations.</summary>
    public TimeSpan ThinkTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The stress phase of Benchmark.</summary>
    public StressConfig Stress { get; init; } = new();

    /// <summary>k6 thresholds, evaluated every 2 s during the run and at its end.</summary>
    public IReadOnlyList<Thresholds.ThresholdDefinition> Thresholds { get; init; } = [];

    /// <summary>How the load generator talks HTTP.</summary>
    public HttpConfig Http { get; init; } = new();

    /// <summary>Arrival-rate runs: what happens to an iteration that finds every VU busy (default: it waits).</summary>
    public SaturationPolicy OnSaturation { get; init; } = SaturationPolicy.Wait;

    /// <summary>Arrival-rate runs: how many due iterations may wait for a free VU at once; beyond it they are dropped.</summary>
    public int Backlog { get; init; } = DefaultBacklog;

    /// <summary>The default backlog: a 10 s stall at 10,000 iterations/s, 800 KB of timestamps.</summary>
    public const int DefaultBacklog = 100_000;

    /// <summary>A run that dropped more than this share of its planned iterations (%) is graded critical: its latency is not measurable.</summary>
    public double MaxDroppedPercent { get; init; } = 1;

    /// <summary>Which latency the grades use (default: corrected).</summary>
    public GradedLatency GradedLatency { get; init; } = GradedLatency.Corrected;

    /// <summary><c>load.gradeThroughput</c>: true or false as the config says; null: graded where a target rate is set (arrival-rate executors).</summary>
    public bool? GradeThroughput { get; init; }

    /// <summary>
    /// Whether requests/s is graded: an arrival-rate phase has a target rate, so its throughput says whether the
    /// service kept up; a closed model's throughput is its VUs over their iteration time (think time included), a
    /// number the config chose, not one the service earned; graded there only when the config asks.
    /// </summary>
    public bool GradesThroughput => GradeThroughput ?? Executor is ExecutorKind.ConstantArrivalRate or ExecutorKind.RampingArrivalRate;

    /// <summary>Why requests/s is not graded, for reports; null when it is.</summary>
    public string? ThroughputNote => GradesThroughput ? null
        : GradeThroughput == false
            ? "requests/s not graded: load.gradeThroughput is false"
            : "requests/s not graded: a closed model's throughput is its VUs over their think and response time, set by the config rather than earned by the service (an arrival-rate executor sets a target rate; load.gradeThroughput: true grades it anyway)";

    /// <summary>The stages ramping-vus runs: explicit ones, or ramp-up, plateau and ramp-down.</summary>
    public IReadOnlyList<StageConfig> EffectiveStages() =>
        Stages.Count > 0 ? Stages : [new StageConfig(RampUp, Vus), new StageConfig(Duration, Vus), new StageConfig(RampDown, 0)];

    /// <summary>
    /// The load in its executor's own terms, as reports label a phase: <c>50 VUs</c>, <c>up to 50 VUs</c>,
    /// <c>10 VUs × 100 iterations</c>, <c>100 iterations/s, 20 VUs preallocated, up to 200</c>, <c>10 → 100 iterations/s</c>...
    /// An arrival-rate phase is a rate, not a number of users: its VUs are only what the rate needed.
    /// </summary>
    public string Describe()
    {
        var unit = TimeUnit == TimeSpan.FromSeconds(1) ? "s" : Text.K6Duration.Format(TimeUnit);
        var preAllocated = PreAllocatedVus ?? Vus;
        var vus = string.Create(CultureInfo.InvariantCulture, $"{preAllocated:#,0} VUs preallocated, up to {Math.Max(preAllocated, MaxVus ?? preAllocated):#,0}");
        return Executor switch
        {
            ExecutorKind.ConstantVus => string.Create(CultureInfo.InvariantCulture, $"{Vus:#,0} VUs"),
            ExecutorKind.RampingVus => string.Create(CultureInfo.InvariantCulture, $"up to {EffectiveStages().Max(s => s.Target):#,0} VUs"),
            ExecutorKind.PerVuIterations => string.Create(CultureInfo.InvariantCulture, $"{Vus:#,0} VUs × {Iterations ?? 1:#,0} iterations"),
            ExecutorKind.SharedIterations => string.Create(CultureInfo.InvariantCulture, $"{Iterations ?? 1:#,0} iterations shared by {Vus:#,0} VUs"),
            ExecutorKind.ConstantArrivalRate => string.Create(CultureInfo.InvariantCulture, $"{Rate ?? 0:#,0} iterations/{unit}, {vus}"),
            ExecutorKind.RampingArrivalRate => string.Create(CultureInfo.InvariantCulture,
                $"{Rate ?? 0:#,0} → {(Stages.Count > 0 ? Stages.Max(s => s.Target) : Rate ?? 0):#,0} iterations/{unit} at the peak, {vus}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{Vus:#,0} VUs"),
        };
    }
}

/// <summary>Whether VUs share one connection pool or each has its own (k6's default is per VU).</summary>
public enum ConnectionPoolKind
{
    /// <summary>One pool for every VU: fewest connections, least memory.</summary>
    Shared,

    /// <summary>A pool (and cookie jar) per VU, as browsers and k6 behave.</summary>
    PerVu,
}

/// <summary>Which HTTP client carries the load.</summary>
public enum HttpTransport
{
    /// <summary>
    /// The engine's own HTTP/1.1 client for plain http (about a fifth more requests per second than SocketsHttpHandler
    /// on two cores, docs/benchmarks.md); https, HTTP/2 and decompression still go through SocketsHttpHandler.
    /// </summary>
    Lean,

    /// <summary>.NET's SocketsHttpHandler for every request.</summary>
    Sockets,
}

/// <summary>HTTP settings of the load generator.</summary>
public sealed record HttpConfig
{
    /// <summary>Which HTTP client carries the load.</summary>
    public HttpTransport Transport { get; init; } = HttpTransport.Lean;

    /// <summary>Connection pooling.</summary>
    public ConnectionPoolKind ConnectionPool { get; init; } = ConnectionPoolKind.Shared;

    /// <summary>Connections per server in a pool when <see cref="MaxConnections"/> is not set.</summary>
    public const int DefaultMaxConnections = 1000;

    /// <summary>
    /// Most connections per server in a pool. When set, requests beyond it wait for a free connection outside the
    /// HTTP stack, so that wait counts in latency but not in service time (wrk2's model). When not set, the pool
    /// still stops at <see cref="DefaultMaxConnections"/> (unlimited pooling lets 10,000 VUs open thousands of
    /// connections), without the extra bookkeeping on the hot path.
    /// </summary>
    public int? MaxConnections { get; init; }

    /// <summary>A request's time limit; it then counts as a timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time limit for opening a connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Speak HTTP/2 (h2c on plain http).</summary>
    public bool Http2 { get; init; }

    /// <summary>Keep cookies per VU (implies a pool per VU).</summary>
    public bool Cookies { get; init; }

    /// <summary>Ask for and decompress gzip/brotli responses.</summary>
    public bool Decompression { get; init; }
}

/// <summary>The stress phase (STRESS_TEST_VUS, STRESS_TEST_DURATION).</summary>
public sealed record StressConfig
{
    /// <summary>VUs (default 100).</summary>
    public int Vus { get; init; } = 100;

    /// <summary>Duration (default 60s).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>When the release gate fails.</summary>
public enum GateFailOn
{
    /// <summary>A metric graded critical.</summary>
    Critical,

    /// <summary>A metric graded warning or critical.</summary>
    Warning,

    /// <summary>A statistically significant regression against the baseline.</summary>
    Regression,

    /// <summary>Never: report only.</summary>
    Never,
}

/// <summary>The gate policy.</summary>
public sealed record GateConfig
{
    /// <summary>What fails the gate.</summary>
    public GateFailOn FailOn { get; init; } = GateFailOn.Critical;

    /// <summary>Smallest change that counts as a regression, in percent.</summary>
    public double MinimumEffectPercent { get; init; } = 10;

    /// <summary>The branch baselines come from.</summary>
    public string BaseBranch { get; init; } = "main";

    /// <summary>Scenarios (<c>service/scenario</c>) graded but never failing the gate, such as rate-limit checks that expect 429s.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];
}

/// <summary>History stores.</summary>
public enum HistoryStoreKind
{
    /// <summary>A SQLite file in the results folder.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database.</summary>
    Postgres,
}

/// <summary>Where results go.</summary>
public sealed record ResultsConfig
{
    /// <summary>The results folder, relative to the config file.</summary>
    public string Directory { get; init; } = "performance-results";

    /// <summary>The history store.</summary>
    public HistoryStoreKind HistoryStore { get; init; } = HistoryStoreKind.Sqlite;

    /// <summary>The SQLite file, relative to the results folder.</summary>
    public string HistoryPath { get; init; } = "history.db";

    /// <summary>PostgreSQL connection string for the postgres store (password from the environment).</summary>
    public string? HistoryConnectionString { get; init; }
}

/// <summary>PostgreSQL analysis.</summary>
public sealed record DatabaseConfig
{
    /// <summary>Npgsql connection string without the password.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The password, from the environment; masked everywhere.</summary>
    public string? Password { get; init; }

    /// <summary>Statement timeout of every analysis query.</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A query is slow from this mean time...</summary>
    public TimeSpan SlowQueryMeanTime { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>... with at least this many calls.</summary>
    public int SlowQueryCalls { get; init; } = 100;

    /// <summary>A query runs long from this age.</summary>
    public TimeSpan LongRunning { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>Container profiling through the Docker engine API.</summary>
public sealed record DockerConfig
{
    /// <summary>The engine's address (<c>unix://</c>, <c>tcp://</c>, <c>npipe://</c>).</summary>
    public string Host { get; init; } = "unix:///var/run/docker.sock";

    /// <summary>Containers to sample.</summary>
    public IReadOnlyList<string> Containers { get; init; } = [];

    /// <summary>Sampling interval.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>A frontend whose pages are timed.</summary>
public sealed record FrontendConfig
{
    /// <summary>Unique name.</summary>
    public required string Name { get; init; }

    /// <summary>The site's address.</summary>
    public required Uri Url { get; init; }

    /// <summary>Paths to load.</summary>
    public IReadOnlyList<string> Pages { get; init; } = ["/"];

    /// <summary>Loads per page.</summary>
    public int Runs { get; init; } = 3;
}

/// <summary>Alert channels.</summary>
public enum AlertChannel
{
    /// <summary>Slack webhook.</summary>
    Slack,

    /// <summary>E-mail.</summary>
    Email,

    /// <summary>PagerDuty.</summary>
    PagerDuty,

    /// <summary>A generic webhook.</summary>
    Webhook,
}

/// <summary>One alert rule: a threshold and the channels it notifies.</summary>
public sealed record AlertRule(double Threshold, IReadOnlyList<AlertChannel> Channels);

/// <summary>Alerts (the guide's performanceAlerts).</summary>
public sealed record AlertsConfig
{
    /// <summary>Response time in milliseconds.</summary>
    public AlertRule? ResponseTime { get; init; }

    /// <summary>Error rate in percent.</summary>
    public AlertRule? ErrorRate { get; init; }

    /// <summary>CPU in percent.</summary>
    public AlertRule? CpuUsage { get; init; }

    /// <summary>Webhook address, from the environment; masked everywhere.</summary>
    public string? WebhookUrl { get; init; }
}

/// <summary>PGTune's workload profiles.</summary>
public enum PostgresProfile
{
    /// <summary>Web application.</summary>
    Web,

    /// <summary>Online transaction processing.</summary>
    Oltp,

    /// <summary>Data warehouse.</summary>
    Dw,

    /// <summary>Desktop application.</summary>
    Desktop,

    /// <summary>Mixed.</summary>
    Mixed,
}

/// <summary>Storage kinds for PGTune.</summary>
public enum StorageKind
{
    /// <summary>Solid state.</summary>
    Ssd,

    /// <summary>Spinning disk.</summary>
    Hdd,

    /// <summary>Network storage.</summary>
    San,

    /// <summary>NVMe.</summary>
    Nvme,
}

/// <summary>What Optimize reads.</summary>
public sealed record OptimizeConfig
{
    /// <summary>The default globs of the files Optimize reads.</summary>
    public static readonly IReadOnlyList<string> DefaultInclude =
    [
        "**/{Dockerfile,dockerfile}*", "**/*.{Dockerfile,dockerfile}", "**/docker-compose*.y*ml", "**/compose.y*ml", "**/ecosystem.config.{js,cjs,mjs}",
        "**/next.config.{js,mjs,cjs,ts,mts}", "**/postgresql.conf",
    ];

    /// <summary>Globs of files to read.</summary>
    public IReadOnlyList<string> Include { get; init; } = DefaultInclude;

    /// <summary>Globs to leave out.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = ["**/node_modules/**", "**/.git/**"];

    /// <summary>PGTune profile; null when the config does not say (web is assumed, and nothing that depends on it is written).</summary>
    public PostgresProfile? PostgresProfile { get; init; }

    /// <summary>Storage kind for PGTune; null when the config does not say (SSD is assumed, and nothing that depends on it is written).</summary>
    public StorageKind? Storage { get; init; }

    /// <summary>The machines the files are for (the first entry whose globs match a file wins); Optimize never sizes for the machine it runs on.</summary>
    public IReadOnlyList<OptimizeTarget> Targets { get; init; } = [];
}

/// <summary>
/// The machine some files configure (<c>optimize.targets[]</c>): by glob, or the live server of the <c>database</c>
/// section. Every field is optional; what is missing comes from the next source (compose limits and image tags, a
/// PGTune header, the live server) or stays unknown.
/// </summary>
public sealed record OptimizeTarget
{
    /// <summary>Globs of the files this machine runs (repository-relative).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>True: the entry describes the live server of the <c>database</c> section.</summary>
    public bool Database { get; init; }

    public double? Cpus { get; init; }

    public long? MemoryBytes { get; init; }

    /// <summary>PostgreSQL's major version (9.6 is written 9.6; 10 and later as one number).</summary>
    public double? PostgresVersion { get; init; }

    public PostgresProfile? Profile { get; init; }

    public StorageKind? Storage { get; init; }

    /// <summary>Where the entry is written, for the report ("perf-config.yml:112").</summary>
    public string Where { get; init; } = "perf-config.yml";
}
