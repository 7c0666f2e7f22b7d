using System.Collections.Concurrent;

namespace Zoptal.SamplePlatform.Storage;

/// <summary>A registered user.</summary>
public sealed record UserRecord(string Id, string Email, string Name, string PasswordHash);

/// <summary>A project.</summary>
public sealed record ProjectRecord(string Id, string UserId, string Name, string Description, string? TemplateId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One usage record.</summary>
public sealed record UsageRecord(string Id, string Metric, decimal Quantity, DateTimeOffset Timestamp);

/// <summary>One analytics event.</summary>
public sealed record EventRecord(string UserId, string Name, DateTimeOffset Timestamp, int Properties);

/// <summary>Users of auth, found by email.</summary>
public interface IUserStore
{
    Task<bool> AddAsync(UserRecord user);
    Task<UserRecord?> FindByEmailAsync(string email);
    Task SetPasswordAsync(string email, string passwordHash);
}

/// <summary>Projects of the project service.</summary>
public interface IProjectStore
{
    Task AddAsync(ProjectRecord project);
    Task<ProjectRecord?> GetAsync(string id);
    Task UpdateAsync(ProjectRecord project);
    Task DeleteAsync(string id);
    Task<(int Total, IReadOnlyList<ProjectRecord> Page)> ListAsync(string userId, int page, int size);
    Task<IReadOnlyList<ProjectRecord>> SearchAsync(string userId, string term, int limit);
}

/// <summary>Billing's usage records.</summary>
public interface IUsageStore
{
    Task AddAsync(string userId, UsageRecord record);
    Task<IReadOnlyList<UsageRecord>> RangeAsync(string userId, DateTimeOffset from, DateTimeOffset to);
}

/// <summary>Analytics events.</summary>
public interface IEventStore
{
    Task AddAsync(IReadOnlyList<EventRecord> events);
    Task<IReadOnlyList<(DateTimeOffset Start, int Count)>> CountAsync(string userId, string name, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket);
    Task<IReadOnlyList<(string Name, int Count)>> SummaryAsync(string userId, DateTimeOffset from, DateTimeOffset to);
}

/// <summary>The default storage: everything in this process's memory.</summary>
public sealed class MemoryStores : IUserStore, IProjectStore, IUsageStore, IEventStore
{
    private readonly ConcurrentDictionary<string, UserRecord> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ProjectRecord> _projects = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<UsageRecord>> _usage = new();
    private readonly ConcurrentQueue<EventRecord> _events = new();

    Task<bool> IUserStore.AddAsync(UserRecord user) => Task.FromResult(_users.TryAdd(user.Email, user));

    public Task<UserRecord?> FindByEmailAsync(string email) => Task.FromResult(_users.GetValueOrDefault(email));

    public Task SetPasswordAsync(string email, string passwordHash)
    {
        if (_users.TryGetValue(email, out var user))
            _users[email] = user with { PasswordHash = passwordHash };
        return Task.CompletedTask;
    }

    Task IProjectStore.AddAsync(ProjectRecord project)
    {
        _projects[project.Id] = project;
        return Task.CompletedTask;
    }

    public Task<ProjectRecord?> GetAsync(string id) => Task.FromResult(_projects.GetValueOrDefault(id));

    public Task UpdateAsync(ProjectRecord project)
    {
        _projects[project.Id] = project;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string id)
    {
        _projects.TryRemove(id, out _);
        return Task.CompletedTask;
    }

    public Task<(int Total, IReadOnlyList<ProjectRecord> Page)> ListAsync(string userId, int page, int size)
    {
        var mine = _projects.Values.Where(p => p.UserId == userId).OrderByDescending(p => p.UpdatedAt).ToList();
        return Task.FromResult<(int, IReadOnlyList<ProjectRecord>)>((mine.Count, mine.Skip((page - 1) * size).Take(size).ToList()));
    }

    public Task<IReadOnlyList<ProjectRecord>> SearchAsync(string userId, string term, int limit) =>
        Task.FromResult<IReadOnlyList<ProjectRecord>>(_projects.Values
            .Where(p => p.UserId == userId && (p.Name.Contains(term, StringComparison.OrdinalIgnoreCase) || p.Description.Contains(term, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).Take(limit).ToList());

    Task IUsageStore.AddAsync(string userId, UsageRecord record)
    {
        _usage.GetOrAdd(userId, _ => new()).Enqueue(record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<UsageRecord>> RangeAsync(string userId, DateTimeOffset from, DateTimeOffset to) =>
        Task.FromResult<IReadOnlyList<UsageRecord>>(_usage.TryGetValue(userId, out var records) ? records.Where(r => r.Timestamp >= from && r.Timestamp < to).ToList() : []);

    Task IEventStore.AddAsync(IReadOnlyList<EventRecord> events)
    {
        foreach (var e in events)
            _events.Enqueue(e);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<(DateTimeOffset Start, int Count)>> CountAsync(string userId, string name, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket) =>
        Task.FromResult<IReadOnlyList<(DateTimeOffset, int)>>(_events.Where(e => e.UserId == userId && e.Name == name && e.Timestamp >= from && e.Timestamp < to)
            .GroupBy(e => new DateTimeOffset(e.Timestamp.UtcTicks - e.Timestamp.UtcTicks % bucket.Ticks, TimeSpan.Zero))
            .Select(g => (g.Key, g.Count())).OrderBy(b => b.Key).ToList());

    public Task<IReadOnlyList<(string Name, int Count)>> SummaryAsync(string userId, DateTimeOffset from, DateTimeOffset to) =>
        Task.FromResult<IReadOnlyList<(string, int)>>(_events.Where(e => e.UserId == userId && e.Timestamp >= from && e.Timestamp < to)
            .GroupBy(e => e.Name).Select(g => (g.Key, g.Count())).OrderByDescending(e => e.Item2).ToList());
}
