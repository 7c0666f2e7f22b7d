using Npgsql;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Probes.Postgres;
using Zoptal.Perf.Testing;

namespace Zoptal.Perf.Probes.Tests;

/// <summary>
/// Each finding from a condition made for real on a private PostgreSQL cluster (pg_stat_statements preloaded): a
/// database per test, a snapshot, the "load" (statements run from here), a second snapshot, the analysis.
/// </summary>
public sealed class PgAnalysisTests(PostgresCluster postgres) : IClassFixture<PostgresCluster>
{
    private async Task<(DatabaseConfig Config, string ConnectionString)> Database(bool statements = true)
    {
        var name = "probe_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync();
            await Run(admin, $"CREATE DATABASE {name}");
        }

        var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = name, Pooling = false }.ConnectionString;
        if (statements)
        {
            await using var db = new NpgsqlConnection(connectionString);
            await db.OpenAsync();
            await Run(db, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }

        return (new DatabaseConfig { ConnectionString = connectionString }, connectionString);
    }

    private static async Task Run(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<DatabaseReport> Analyze(DatabaseConfig config, Func<Task> load, Func<PgProbe, Task<IReadOnlyList<ActivitySample>>>? during = null)
    {
        await using var probe = PgProbe.Create(config);
        var capabilities = await probe.CapabilitiesAsync();
        var before = await probe.SnapshotAsync(capabilities);
        await load();
        var activity = during is null ? [await probe.ActivityAsync(config.LongRunning)] : await during(probe);
        var after = await probe.SnapshotAsync(capabilities);
        var plans = new Dictionary<string, string?>();
        foreach (var query in PgAnalyzer.Delta(before, after).Take(PgAnalyzer.ExplainedQueries))
            plans[query.Query] = await probe.ExplainAsync(capabilities, query.Query);
        return PgAnalyzer.Analyze(probe.Server, capabilities, config, before, after, activity, plans);
    }

    private static async Task Fill(NpgsqlConnection db)
    {
        await Run(db, "CREATE TABLE users (id text PRIMARY KEY, email text NOT NULL, name text NOT NULL)");
        await Run(db, "CREATE TABLE projects (id text PRIMARY KEY, user_id text NOT NULL, name text NOT NULL)");
        await Run(db, "INSERT INTO users SELECT 'u' || i, 'User' || i || '@Example.com', 'n' || i FROM generate_series(1, 20000) i");
        await Run(db, "INSERT INTO projects SELECT 'p' || i, 'u' || (i % 5000), 'project ' || i FROM generate_series(1, 30000) i");
        await Run(db, "ANALYZE users; ANALYZE projects");
    }

    [Fact]
    public async Task Statements_that_scan_a_table_for_a_filter_get_an_index_suggestion_with_their_query_and_mean_time()
    {
        var (config, connectionString) = await Database();
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await Fill(db);

        var report = await Analyze(config, async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                await Run(db, "SELECT id, name FROM projects WHERE user_id = $1 ORDER BY name LIMIT 20", $"u{i}");
                await Run(db, "SELECT id, name FROM users WHERE lower(email) = lower($1) LIMIT 1", $"user{i}@example.com");
            }
        });

        Assert.True(report.StatementsAvailable);
        var projects = Assert.Single(report.Findings, f => f.Kind == "missing-index" && f.Suggestion?.Contains("ON public.projects") == true);
        Assert.Equal("CREATE INDEX CONCURRENTLY idx_projects_user_id ON public.projects (user_id);", projects.Suggestion);
        Assert.Contains("WHERE user_id = $1", projects.Query);
        Assert.Contains("150 calls at", projects.Title);
        Assert.Contains("Seq Scan on projects", projects.Evidence);
        var users = Assert.Single(report.Findings, f => f.Kind == "missing-index" && f.Suggestion?.Contains("ON public.users") == true);
        Assert.Equal("CREATE INDEX CONCURRENTLY idx_users_lower_email ON public.users (lower(email));", users.Suggestion);
        Assert.Contains(report.TopQueries, q => q.Query.Contains("FROM projects") && q.Calls == 150 && q.MeanMs > 0);
        Assert.Equal(report.SlowestQueries.OrderByDescending(q => q.MeanMs).Select(q => q.Query), report.SlowestQueries.Select(q => q.Query));
        Assert.Contains(report.SlowestQueries, q => q.Query.Contains("FROM users"));

        // With the index in place the same load finds nothing on that table.
        await Run(db, "CREATE INDEX idx_projects_user_id ON projects (user_id)");
        var again = await Analyze(config, async () =>
        {
            for (var i = 0; i < 150; i++)
                await Run(db, "SELECT id, name FROM projects WHERE user_id = $1 ORDER BY name LIMIT 20", $"u{i}");
        });
        Assert.DoesNotContain(again.Findings, f => f.Kind == "missing-index" && f.Suggestion?.Contains("ON public.projects") == true);
    }

    [Fact]
    public async Task Unused_and_duplicate_indexes_and_a_sequence_near_its_end_are_found()
    {
        var (config, connectionString) = await Database();
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await Fill(db);
        await Run(db, "CREATE INDEX projects_name ON projects (name)");
        await Run(db, "CREATE INDEX projects_user ON projects (user_id)");
        await Run(db, "CREATE INDEX projects_user_name ON projects (user_id, name)");
        await Run(db, "CREATE SEQUENCE invoice_numbers AS integer MAXVALUE 1000");
        await Run(db, "SELECT setval('invoice_numbers', 995)");

        var report = await Analyze(config, () => Task.CompletedTask);

        var unused = Assert.Single(report.Findings, f => f.Kind == "unused-index" && f.Title.Contains("projects_name"));
        Assert.Equal(Severity.Info, unused.Severity); // statistics younger than a week: named, not condemned
        Assert.Contains("statistics too young", unused.Title);
        var duplicate = Assert.Single(report.Findings, f => f.Kind == "duplicate-index");
        Assert.Equal("index projects_user is covered by projects_user_name", duplicate.Title);
        Assert.Equal("DROP INDEX CONCURRENTLY public.projects_user;", duplicate.Suggestion);
        var sequence = Assert.Single(report.Findings, f => f.Kind == "sequence");
        Assert.Equal("sequence invoice_numbers is 99.5 % used", sequence.Title);
        Assert.Equal(Severity.Critical, sequence.Severity);
    }

    [Fact]
    public async Task A_query_blocked_by_another_sessions_lock_is_named_with_its_blocker()
    {
        var (config, connectionString) = await Database();
        await using var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await Run(holder, "CREATE TABLE accounts (id int PRIMARY KEY, balance int)");
        await Run(holder, "INSERT INTO accounts VALUES (1, 100)");
        await using var transaction = await holder.BeginTransactionAsync();
        await Run(holder, "UPDATE accounts SET balance = 50 WHERE id = 1");

        await using var waiter = new NpgsqlConnection(connectionString);
        await waiter.OpenAsync();
        // The waiter waits for the holder's row lock as long as the analysis takes; its own timeout must not end it first.
        var blocked = Task.Run(async () =>
        {
            await using var command = new NpgsqlCommand("UPDATE accounts SET balance = 70 WHERE id = 1", waiter) { CommandTimeout = 300 };
            await command.ExecuteNonQueryAsync();
        });
        var analysis = System.Diagnostics.Stopwatch.StartNew();
        var report = await Analyze(config, () => Task.Delay(300), async probe =>
        {
            var samples = new List<ActivitySample>();
            for (var i = 0; i < 20 && samples.All(s => s.Blocked.Count == 0); i++)
            {
                samples.Add(await probe.ActivityAsync(config.LongRunning));
                await Task.Delay(100);
            }

            return samples;
        });
        analysis.Stop();
        await transaction.RollbackAsync();
        await blocked;
        Assert.True(analysis.Elapsed < TimeSpan.FromSeconds(60), $"the analysis of a database with a blocked session took {analysis.Elapsed}");

        var finding = Assert.Single(report.Findings, f => f.Kind == "blocked-query");
        Assert.Contains($"blocked by pid {holder.ProcessID}", finding.Title);
        Assert.Contains("UPDATE accounts SET balance = 70", finding.Query);
        Assert.Contains(report.Findings, f => f.Kind == "connections" && f.Title.Contains("idle in transaction"));
    }

    [Fact]
    public async Task Without_pg_stat_statements_the_report_says_exactly_how_to_enable_it()
    {
        var (config, _) = await Database(statements: false);
        var report = await Analyze(config, () => Task.CompletedTask);
        Assert.False(report.StatementsAvailable);
        var finding = Assert.Single(report.Findings, f => f.Kind == "pg-stat-statements");
        Assert.Equal("CREATE EXTENSION pg_stat_statements;", finding.Suggestion);
        Assert.Contains("not created in this database", finding.Evidence);
    }

    [Fact]
    public async Task A_write_is_explained_never_run()
    {
        var (config, connectionString) = await Database();
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await Run(db, "CREATE TABLE t (id int)");
        await Run(db, "INSERT INTO t VALUES (1)");

        await using var probe = PgProbe.Create(config);
        var capabilities = await probe.CapabilitiesAsync();
        var plan = await probe.ExplainAsync(capabilities, "UPDATE t SET id = $1 WHERE id = $2");
        Assert.Contains("\"Node Type\": \"ModifyTable\"", plan);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM t WHERE id = 1", db);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
        Assert.Null(await probe.ExplainAsync(capabilities, "VACUUM t"));
    }
}
