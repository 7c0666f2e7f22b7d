using Npgsql;

namespace Zoptal.SamplePlatform.Storage;

/// <summary>
/// The platform's data in PostgreSQL. The schema is created at start with primary keys only, as a young service's
/// schema often is: logins look users up by email and project lists filter by user_id without an index, which is
/// the work the database analysis (issue #6) is meant to find.
/// </summary>
public sealed class PostgresStores(NpgsqlDataSource db) : IUserStore, IProjectStore, IUsageStore, IEventStore, IAsyncDisposable
{
    /// <summary>The tables, created if missing.</summary>
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS users (id text PRIMARY KEY, email text NOT NULL, name text NOT NULL, password_hash text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS projects (id text PRIMARY KEY, user_id text NOT NULL, name text NOT NULL, description text NOT NULL, template_id text,
            created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS usage_records (id text PRIMARY KEY, user_id text NOT NULL, metric text NOT NULL, quantity numeric NOT NULL, recorded_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS events (id bigserial PRIMARY KEY, user_id text NOT NULL, name text NOT NULL, occurred_at timestamptz NOT NULL, properties int NOT NULL);
        """;

    /// <summary>
    /// Connects and creates the schema. A server that cannot be reached or refuses the login is an
    /// <see cref="InvalidOperationException"/> saying where and why in one line (never the password).
    /// </summary>
    public static async Task<PostgresStores> OpenAsync(string connectionString)
    {
        var db = NpgsqlDataSource.Create(connectionString);
        try
        {
            await using (var create = db.CreateCommand(Schema))
                await create.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await db.DisposeAsync();
            var where = new NpgsqlConnectionStringBuilder(connectionString);
            var cause = e is PostgresException postgres ? $"{postgres.SqlState} {postgres.MessageText}" : (e.InnerException ?? e).Message;
            throw new InvalidOperationException($"cannot use PostgreSQL at {where.Host}:{where.Port}/{where.Database}: {cause.ReplaceLineEndings(" ")}", e);
        }

        return new PostgresStores(db);
    }

    async Task<bool> IUserStore.AddAsync(UserRecord user)
    {
        // No unique index on email (primary keys only): the check and the insert are one statement.
        await using var insert = db.CreateCommand(
            "INSERT INTO users (id, email, name, password_hash) SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2))");
        insert.Parameters.AddWithValue(user.Id);
        insert.Parameters.AddWithValue(user.Email);
        insert.Parameters.AddWithValue(user.Name);
        insert.Parameters.AddWithValue(user.PasswordHash);
        return await insert.ExecuteNonQueryAsync() == 1;
    }

    public async Task<UserRecord?> FindByEmailAsync(string email)
    {
        await using var select = db.CreateCommand("SELECT id, email, name, password_hash FROM users WHERE lower(email) = lower($1) LIMIT 1");
        select.Parameters.AddWithValue(email);
        await using var reader = await select.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new UserRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)) : null;
    }

    public async Task SetPasswordAsync(string email, string passwordHash)
    {
        await using var update = db.CreateCommand("UPDATE users SET password_hash = $2 WHERE lower(email) = lower($1)");
        update.Parameters.AddWithValue(email);
        update.Parameters.AddWithValue(passwordHash);
        await update.ExecuteNonQueryAsync();
    }

    async Task IProjectStore.AddAsync(ProjectRecord p) => await Write(
        "INSERT INTO projects (id, user_id, name, description, template_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        p.Id, p.UserId, p.Name, p.Description, (object?)p.TemplateId ?? DBNull.Value, p.CreatedAt, p.UpdatedAt);

    public async Task<ProjectRecord?> GetAsync(string id) =>
        (await Projects("SELECT id, user_id, name, description, template_id, created_at, updated_at FROM projects WHERE id = $1", id)).FirstOrDefault();

    public Task UpdateAsync(ProjectRecord p) =>
        Write("UPDATE projects SET name = $2, description = $3, updated_at = $4 WHERE id = $1", p.Id, p.Name, p.Description, p.UpdatedAt);

    public Task DeleteAsync(string id) => Write("DELETE FROM projects WHERE id = $1", id);

    public async Task<(int Total, IReadOnlyList<ProjectRecord> Page)> ListAsync(string userId, int page, int size)
    {
        await using var count = db.CreateCommand("SELECT count(*) FROM projects WHERE user_id = $1");
        count.Parameters.AddWithValue(userId);
        var total = Convert.ToInt32(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var items = await Projects("SELECT id, user_id, name, description, template_id, created_at, updated_at FROM projects WHERE user_id = $1 ORDER BY updated_at DESC LIMIT $2 OFFSET $3",
            userId, size, (page - 1) * size);
        return (total, items);
    }

    public async Task<IReadOnlyList<ProjectRecord>> SearchAsync(string userId, string term, int limit) =>
        await Projects("SELECT id, user_id, name, description, template_id, created_at, updated_at FROM projects WHERE user_id = $1 AND (name ILIKE $2 OR description ILIKE $2) ORDER BY name LIMIT $3",
            userId, "%" + term.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%", limit);

    Task IUsageStore.AddAsync(string userId, UsageRecord r) =>
        Write("INSERT INTO usage_records (id, user_id, metric, quantity, recorded_at) VALUES ($1, $2, $3, $4, $5)", r.Id, userId, r.Metric, r.Quantity, r.Timestamp);

    public async Task<IReadOnlyList<UsageRecord>> RangeAsync(string userId, DateTimeOffset from, DateTimeOffset to)
    {
        await using var select = Command("SELECT id, metric, quantity, recorded_at FROM usage_records WHERE user_id = $1 AND recorded_at >= $2 AND recorded_at < $3", userId, from, to);
        await using var reader = await select.ExecuteReaderAsync();
        var records = new List<UsageRecord>();
        while (await reader.ReadAsync())
            records.Add(new UsageRecord(reader.GetString(0), reader.GetString(1), reader.GetDecimal(2), reader.GetFieldValue<DateTimeOffset>(3)));
        return records;
    }

    async Task IEventStore.AddAsync(IReadOnlyList<EventRecord> events)
    {
        await using var batch = db.CreateBatch();
        foreach (var e in events)
        {
            var command = new NpgsqlBatchCommand("INSERT INTO events (user_id, name, occurred_at, properties) VALUES ($1, $2, $3, $4)");
            command.Parameters.AddWithValue(e.UserId);
            command.Parameters.AddWithValue(e.Name);
            command.Parameters.AddWithValue(e.Timestamp);
            command.Parameters.AddWithValue(e.Properties);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<(DateTimeOffset Start, int Count)>> CountAsync(string userId, string name, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket)
    {
        await using var select = Command(
            "SELECT to_timestamp(floor(extract(epoch FROM occurred_at) / $4) * $4) AS bucket, count(*)::int FROM events " +
            "WHERE user_id = $1 AND name = $5 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY bucket ORDER BY bucket",
            userId, from, to, bucket.TotalSeconds, name);
        await using var reader = await select.ExecuteReaderAsync();
        var buckets = new List<(DateTimeOffset, int)>();
        while (await reader.ReadAsync())
            buckets.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt32(1)));
        return buckets;
    }

    public async Task<IReadOnlyList<(string Name, int Count)>> SummaryAsync(string userId, DateTimeOffset from, DateTimeOffset to)
    {
        await using var select = Command("SELECT name, count(*)::int AS n FROM events WHERE user_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY name ORDER BY n DESC", userId, from, to);
        await using var reader = await select.ExecuteReaderAsync();
        var summary = new List<(string, int)>();
        while (await reader.ReadAsync())
            summary.Add((reader.GetString(0), reader.GetInt32(1)));
        return summary;
    }

    public ValueTask DisposeAsync() => db.DisposeAsync();

    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = db.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.AddWithValue(value);
        return command;
    }

    private async Task Write(string sql, params object[] values)
    {
        await using var command = Command(sql, values);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<ProjectRecord>> Projects(string sql, params object[] values)
    {
        await using var select = Command(sql, values);
        await using var reader = await select.ExecuteReaderAsync();
        var projects = new List<ProjectRecord>();
        while (await reader.ReadAsync())
        {
            projects.Add(new ProjectRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return projects;
    }
}
