using System.Text;
using Npgsql;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize.Postgres;
using Zoptal.Perf.Testing;
using static Zoptal.Perf.Optimize.Tests.Support;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>
/// Each original and patched postgresql.conf, for version 15, loaded as an include into a running PostgreSQL 15:
/// pg_file_settings must report no error for the patched file wherever the original had none. (Starting a server
/// on a file sized for another machine would prove nothing; the server's own parser and checks are what count.)
/// pg_file_settings names unknown settings and syntax errors but not invalid values, so the server's configuration
/// check (<c>postgres -C</c>) must pass for the patched file whenever it passed for the original, too.
/// </summary>
public sealed class PgFileSettingsTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>
{
    public static TheoryData<string, string, double?> Files => new()
    {
        // The stock file's shape: commented defaults, a units comment, values in quotes.
        { "stock", "listen_addresses = '*'\nmax_connections = 100\t\t\t# (change requires restart)\nshared_buffers = 128MB\t\t\t# min 128kB\n#work_mem = 4MB\t\t\t\t# min 64kB\n#maintenance_work_mem = 64MB\n#effective_cache_size = 4GB\nmax_wal_size = 1GB\nmin_wal_size = 80MB\n#random_page_cost = 4.0\n#jit = on\nlog_timezone = 'Etc/UTC'\n", 8 },
        // A PGTune file for a 32 GB, 8-CPU warehouse: sized for its header, not this machine.
        { "pgtune", "# DB Version: 15\n# OS Type: linux\n# DB Type: dw\n# Total Memory (RAM): 32 GB\n# CPUs num: 8\n# Data Storage: ssd\n\nmax_connections = 40\nshared_buffers = 8GB\neffective_cache_size = 24GB\nmaintenance_work_mem = 2GB\ncheckpoint_completion_target = 0.9\nwal_buffers = 16MB\ndefault_statistics_target = 500\nrandom_page_cost = 1.1\neffective_io_concurrency = 200\nwork_mem = 52428kB\nhuge_pages = try\nmin_wal_size = 4GB\nmax_wal_size = 16GB\nmax_worker_processes = 8\nmax_parallel_workers_per_gather = 4\nmax_parallel_workers = 8\nmax_parallel_maintenance_workers = 4\n", null },
        // Bare numbers in the settings' own units, = omitted, a trailing comment, CRLF.
        { "units", "shared_buffers 16384\r\nwork_mem 4096   # kB\r\neffective_cache_size = '524288'\r\nwal_compression = on\r\n", 2 },
        // A setting the server refuses (an invalid unit): the original has that error, the patch may fix it, never add one.
        { "invalid", "shared_buffers = 128mb\nwork_mem = 4MB\n", 4 },
        // Latin-1 comments, no final newline.
        { "latin1", "# Konfiguration f\u00fcr den Server\nshared_buffers = 256MB # \u00e9t\u00e9", 16 },
        // Unknown size: only what does not depend on it.
        { "unsized", "max_connections = 200\nrandom_page_cost = 4\n", null },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task The_patched_file_loads_into_PostgreSQL_15_with_no_error_the_original_did_not_have(string name, string original, double? memoryGb)
    {
        var target = memoryGb is { } gb ? Target(cpus: 4, memoryGb: gb, postgres: 15)
            : name == "pgtune" ? Targets.Target.Unknown(new OptimizeConfig()).Or(Targets.TargetResolver.PgTuneHeader(original)) : Target(postgres: 15);
        var findings = PostgresRules.ForFile("/nonexistent", "postgresql.conf", original, target);
        var patched = Patched(original, findings);
        Assert.NotEqual(original, patched);

        var include = Path.Combine(postgres.Folder, "includes", name + ".conf");
        Directory.CreateDirectory(Path.GetDirectoryName(include)!);
        var (before, checkBefore) = await ErrorsAsync(include, original);
        var (after, checkAfter) = await ErrorsAsync(include, patched);
        Assert.True(after.All(before.Contains), $"the patched {name} file has errors the original did not: {string.Join("; ", after.Except(before))}\n{patched}");
        Assert.True(checkBefore.ExitCode != 0 || checkAfter.ExitCode == 0, $"postgres -C refuses the patched {name} file: {checkAfter.Output}\n{patched}");
        if (name == "invalid")
            Assert.Equal((1, 0), (checkBefore.ExitCode, checkAfter.ExitCode)); // 128mb is refused (units are case-sensitive); the patch's value is not
    }

    // The errors pg_file_settings reports for the lines of one file, included at the end of the server's postgresql.conf.
    private async Task<(List<string> Errors, (int ExitCode, string Output) Check)> ErrorsAsync(string include, string text)
    {
        await File.WriteAllBytesAsync(include, text.Contains('\u00e9', StringComparison.Ordinal) ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text));
        var main = Path.Combine(postgres.Folder, "data", "postgresql.conf");
        var line = $"\ninclude_if_exists '{include}'\n";
        var conf = await File.ReadAllTextAsync(main);
        await File.WriteAllTextAsync(main, conf + line);
        try
        {
            await using var connection = new NpgsqlConnection(postgres.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT coalesce(name, '(line ' || sourceline || ')') || ': ' || error FROM pg_file_settings WHERE sourcefile = @file AND error IS NOT NULL AND error <> 'setting could not be applied'", connection);
            command.Parameters.AddWithValue("file", include);
            var errors = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                errors.Add(reader.GetString(0));
            return (errors, await postgres.CheckConfigurationAsync());
        }
        finally
        {
            await File.WriteAllTextAsync(main, conf);
        }
    }
}
