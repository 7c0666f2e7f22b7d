using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Zoptal.SamplePlatform.Services;

/// <summary>
/// Notifications queued for email, SMS or push and delivered in the background (a provider's delay), honouring each
/// user's channel preferences; preferences can be read and changed.
/// </summary>
public sealed class NotificationService(PlatformState state) : IPlatformService
{
    /// <summary>The channels.</summary>
    public static readonly string[] Channels = ["email", "sms", "push"];

    private readonly ConcurrentDictionary<string, Notification> _notifications = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _byUser = new();
    private readonly ConcurrentDictionary<string, Preferences> _preferences = new();

    public string Name => "notification";

    public void Map(WebApplication app)
    {
        app.MapPost("/notifications", (NotificationRequest body, HttpContext context) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            if (body.Channel is null || !Channels.Contains(body.Channel))
                return Results.BadRequest(new { error = $"channel must be one of {string.Join(", ", Channels)}" });
            if (string.IsNullOrWhiteSpace(body.Template) || body.Template.Length > 100)
                return Results.BadRequest(new { error = "template is required (at most 100 characters)" });
            var preferences = _preferences.GetValueOrDefault(user, Preferences.Default);
            var enabled = body.Channel switch { "email" => preferences.Email, "sms" => preferences.Sms, _ => preferences.Push };
            var notification = new Notification(PlatformState.NewId(), user, body.Channel, body.Template, DateTimeOffset.UtcNow)
            {
                Status = enabled ? "queued" : "suppressed",
            };
            _notifications[notification.Id] = notification;
            _byUser.GetOrAdd(user, _ => new()).Enqueue(notification.Id);
            if (enabled)
            {
                var delay = state.LogNormal(TimeSpan.FromMilliseconds(body.Channel == "sms" ? 120 : 40), 0.5);
                _ = Task.Run(async () =>
                {
                    await Task.Delay(delay);
                    notification.Status = "delivered";
                });
            }

            return Results.Accepted($"/notifications/{notification.Id}", notification);
        });

        app.MapGet("/notifications/{id}", (string id, HttpContext context) =>
            PlatformState.UserId(context) is not { } user ? PlatformState.MissingUser()
            : _notifications.TryGetValue(id, out var n) && n.UserId == user ? Results.Ok(n) : Results.NotFound(new { error = "no such notification" }));

        app.MapGet("/notifications", (HttpContext context, string? status) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            var ids = _byUser.TryGetValue(user, out var queue) ? queue.Reverse().Take(200) : [];
            return Results.Ok(ids.Select(id => _notifications[id]).Where(n => status is null || n.Status == status).Take(50));
        });

        app.MapGet("/notifications/preferences", (HttpContext context) =>
            PlatformState.UserId(context) is not { } user ? PlatformState.MissingUser() : Results.Ok(_preferences.GetValueOrDefault(user, Preferences.Default)));

        app.MapPut("/notifications/preferences", (Preferences body, HttpContext context) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            if (body.QuietHoursStart is < 0 or > 23 || body.QuietHoursEnd is < 0 or > 23)
                return Results.BadRequest(new { error = "quiet hours are hours of the day, 0 to 23" });
            _preferences[user] = body;
            return Results.Ok(body);
        });
    }

    /// <summary>A notification and its delivery status.</summary>
    public sealed record Notification(string Id, string UserId, string Channel, string Template, DateTimeOffset CreatedAt)
    {
        /// <summary>queued, delivered or suppressed (the channel is off in the user's preferences).</summary>
        public string Status { get; set; } = "queued";
    }
}

/// <summary>A user's notification preferences.</summary>
public sealed record Preferences(bool Email, bool Sms, bool Push, int? QuietHoursStart, int? QuietHoursEnd)
{
    /// <summary>Email and push on, SMS off.</summary>
    public static readonly Preferences Default = new(true, false, true, null, null);
}

/// <summary>Send body.</summary>
public sealed record NotificationRequest(string? Channel, string? Template, Dictionary<string, string>? Data);
