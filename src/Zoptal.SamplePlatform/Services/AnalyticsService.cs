using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Zoptal.SamplePlatform.Storage;

namespace Zoptal.SamplePlatform.Services;

/// <summary>Event ingest in batches, and queries over a time range: counts per bucket of one event, and a summary per event.</summary>
public sealed class AnalyticsService(PlatformState state) : IPlatformService
{
    /// <summary>Most events in one batch.</summary>
    public const int MaxBatch = 500;


    public string Name => "analytics";

    public void Map(WebApplication app)
    {
        app.MapPost("/analytics/events", async (EventBatch body, HttpContext context) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            if (body.Events is not { Count: > 0 and <= MaxBatch })
                return Results.BadRequest(new { error = $"events: 1 to {MaxBatch} per batch" });
            var now = DateTimeOffset.UtcNow;
            foreach (var e in body.Events)
            {
                if (string.IsNullOrWhiteSpace(e.Name) || e.Name.Length > 100)
                    return Results.BadRequest(new { error = "every event needs a name (at most 100 characters)" });
            }

            await state.Events.AddAsync(body.Events.Select(e => new EventRecord(user, e.Name!, (e.Timestamp ?? now).ToUniversalTime(), e.Properties?.Count ?? 0)).ToList());
            return Results.Accepted(value: new { accepted = body.Events.Count });
        });

        app.MapGet("/analytics/query", async (HttpContext context, string? @event, DateTimeOffset? from, DateTimeOffset? to, string? interval) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            if (string.IsNullOrWhiteSpace(@event))
                return Results.BadRequest(new { error = "event is required" });
            var bucket = interval switch { null or "minute" => TimeSpan.FromMinutes(1), "hour" => TimeSpan.FromHours(1), "day" => TimeSpan.FromDays(1), _ => TimeSpan.Zero };
            if (bucket == TimeSpan.Zero)
                return Results.BadRequest(new { error = "interval must be minute, hour or day" });
            var (start, end) = ((from ?? DateTimeOffset.UtcNow.AddHours(-1)).ToUniversalTime(), (to ?? DateTimeOffset.UtcNow.AddMinutes(1)).ToUniversalTime());
            if (end <= start || (end - start).Ticks / bucket.Ticks > 10_000)
                return Results.BadRequest(new { error = "to must be after from, with at most 10,000 buckets between" });
            var buckets = (await state.Events.CountAsync(user, @event, start, end, bucket)).Select(b => new { start = b.Start, count = b.Count }).ToList();
            return Results.Ok(new { @event, from = start, to = end, interval = interval ?? "minute", total = buckets.Sum(b => b.count), buckets });
        });

        app.MapGet("/analytics/summary", async (HttpContext context, DateTimeOffset? from, DateTimeOffset? to) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            var (start, end) = ((from ?? DateTimeOffset.UtcNow.AddHours(-1)).ToUniversalTime(), (to ?? DateTimeOffset.UtcNow.AddMinutes(1)).ToUniversalTime());
            var events = (await state.Events.SummaryAsync(user, start, end)).Select(e => new { name = e.Name, count = e.Count }).ToList();
            return Results.Ok(new { from = start, to = end, events });
        });
    }

}

/// <summary>A batch of events.</summary>
public sealed record EventBatch(List<EventItem>? Events);

/// <summary>One event.</summary>
public sealed record EventItem(string? Name, DateTimeOffset? Timestamp, Dictionary<string, string>? Properties);
