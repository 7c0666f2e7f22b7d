using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Zoptal.Build;

namespace Zoptal.Perf.Testing;

/// <summary>
/// A private PostgreSQL cluster for the tests (reference/environment.md): initdb into a temporary folder, loopback
/// only, pg_stat_statements preloaded, fsync off; about a second to start. Stopped and deleted afterwards.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private string _root = "";
    private string _bin = "";

    public string ConnectionString { get; private set; } = "";

    /// <summary>The cluster's folder (owned by the server's user): its data directory is <c>data</c>.</summary>
    public string Folder => _root;

    public async Task InitializeAsync()
    {
        _bin = AptTasks.PostgreSqlBin() ?? throw new InvalidOperationException("PostgreSQL is not installed; ./build.sh Test installs it (apt-get install postgresql postgresql-contrib).");
        _root = Directory.CreateTempSubdirectory("zoptal-pg-").FullName;
        var port = FreePort();
        var root = Environment.UserName == "root";
        if (root)
            await Run("chown", "postgres:postgres", _root);
        await AsPostgres(root, Path.Combine(_bin, "initdb"), "-D", $"{_root}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale");
        await File.AppendAllTextAsync($"{_root}/data/postgresql.conf", $"""

            port = {port}
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{_root}'
            shared_preload_libraries = 'pg_stat_statements'
            pg_stat_statements.track = all
            fsync = off
            """);
        await AsPostgres(root, Path.Combine(_bin, "pg_ctl"), "-D", $"{_root}/data", "-l", $"{_root}/server.log", "-w", "-t", "30", "start");
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true";
    }

    public async Task DisposeAsync()
    {
        try
        {
            await AsPostgres(Environment.UserName == "root", Path.Combine(_bin, "pg_ctl"), "-D", $"{_root}/data", "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// The server's own check of its configuration files (<c>postgres -C</c>, which a running server allows): the exit
    /// code (not 0 for an unknown setting, an invalid value, a syntax error) and what it printed.
    /// </summary>
    public async Task<(int ExitCode, string Output)> CheckConfigurationAsync()
    {
        var program = Path.Combine(_bin, "postgres");
        var root = Environment.UserName == "root";
        var start = new ProcessStartInfo(root ? "su" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in root ? ["postgres", "-s", "/bin/sh", "-c", $"'{program}' -D '{_root}/data' -C shared_buffers"] : new[] { "-D", $"{_root}/data", "-C", "shared_buffers" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output) + (await error));
    }

    private static Task AsPostgres(bool root, string program, params string[] arguments) =>
        root ? Run("su", "postgres", "-s", "/bin/sh", "-c", string.Join(' ', new[] { program }.Concat(arguments).Select(a => $"'{a}'"))) : Run(program, arguments);

    private static async Task Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
