using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Probes.Postgres;

/// <summary>
/// The database analysis around one load phase: capabilities and a snapshot before, sessions sampled every two
/// seconds during, a snapshot and the busiest statements' plans after. A server that cannot be reached becomes a
/// finding in the report, never a failed run.
/// </summary>
public sealed class DatabaseWatch : IAsyncDisposable
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(2);
    private readonly DatabaseConfig _config;
    private readonly PgProbe _probe;
    private readonly PgCapabilities? _capabilities;
    private readonly PgSnapshot? _before;
    private readonly string? _failure;
    private readonly List<ActivitySample> _activity = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private DatabaseWatch(DatabaseConfig config, PgProbe probe, PgCapabilities? capabilities, PgSnapshot? before, string? failure)
    {
        _config = config;
        _probe = probe;
        _capabilities = capabilities;
        _before = before;
        _failure = failure;
        _sampling = failure is null ? SampleAsync() : Task.CompletedTask;
    }

    /// <summary>Takes the snapshot before the load and starts sampling sessions.</summary>
    public static async Task<DatabaseWatch> StartAsync(DatabaseConfig config, CancellationToken cancellation)
    {
        var probe = PgProbe.Create(config);
        try
        {
            var capabilities = await probe.CapabilitiesAsync(cancellation).ConfigureAwait(false);
            return new DatabaseWatch(config, probe, capabilities, await probe.SnapshotAsync(capabilities, cancellation).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is RunFailedException or Npgsql.NpgsqlException or TimeoutException)
        {
            return new DatabaseWatch(config, probe, null, null, e.Message);
        }
    }

    /// <summary>Stops sampling, takes the snapshot after the load, explains the busiest statements, and analyses.</summary>
    public async Task<DatabaseReport> StopAsync(CancellationToken cancellation)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampling.ConfigureAwait(false);
        if (_failure is not null || _capabilities is null || _before is null)
            return Unreachable(_failure ?? "no snapshot before the load");
        try
        {
            var after = await _probe.SnapshotAsync(_capabilities, cancellation).ConfigureAwait(false);
            var plans = new Dictionary<string, string?>();
            var statements = PgAnalyzer.Delta(_before, after);
            foreach (var query in statements.Take(PgAnalyzer.ExplainedQueries).Concat(statements.Where(q => q.MeanMs >= _config.SlowQueryMeanTime.TotalMilliseconds)))
                plans.TryAdd(query.Query, await _probe.ExplainAsync(_capabilities, query.Query, cancellation).ConfigureAwait(false));
            lock (_activity)
                return PgAnalyzer.Analyze(_probe.Server, _capabilities, _config, _before, after, [.. _activity], plans);
        }
        catch (Exception e) when (e is RunFailedException or Npgsql.NpgsqlException or TimeoutException)
        {
            return Unreachable(e.Message);
        }
    }

    private DatabaseReport Unreachable(string reason) => new(_probe.Server, "", null, false, [], null, null, 0, 0,
        [new DbFinding("unreachable", Severity.Warning, $"PostgreSQL at {_probe.Server} could not be analysed", reason,
            "check database.connectionString in perf-config.yml and the password in the environment")]);

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var sample = await _probe.ActivityAsync(_config.LongRunning, _stop.Token).ConfigureAwait(false);
                lock (_activity)
                    _activity.Add(sample);
                await Task.Delay(SampleInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is RunFailedException or Npgsql.NpgsqlException or TimeoutException)
            {
                await Task.Delay(SampleInterval, CancellationToken.None).ConfigureAwait(false); // a missed sample, not a failed run
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampling.ConfigureAwait(false);
        _stop.Dispose();
        await _probe.DisposeAsync().ConfigureAwait(false);
    }
}
