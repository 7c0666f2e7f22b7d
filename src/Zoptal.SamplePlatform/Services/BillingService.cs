using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Zoptal.SamplePlatform.Storage;

namespace Zoptal.SamplePlatform.Services;

/// <summary>Usage tracking per user and metric, usage queries over a time range, and invoices priced from usage.</summary>
public sealed class BillingService(PlatformState state) : IPlatformService
{
    /// <summary>Price per unit of each metered metric, in cents.</summary>
    public static readonly IReadOnlyDictionary<string, decimal> Prices = new Dictionary<string, decimal>
    {
        ["api-calls"] = 0.01m,
        ["build-minutes"] = 0.8m,
        ["ai-tokens"] = 0.002m,
        ["storage-gb"] = 2.3m,
    };

    private readonly ConcurrentDictionary<string, ConcurrentQueue<Invoice>> _invoices = new();

    public string Name => "billing";

    public void Map(WebApplication app)
    {
        app.MapPost("/billing/usage", async (UsageRequest body, HttpContext context) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            if (body.Metric is null || !Prices.ContainsKey(body.Metric))
                return Results.BadRequest(new { error = $"metric must be one of {string.Join(", ", Prices.Keys)}" });
            if (body.Quantity is not (> 0 and <= 1_000_000))
                return Results.BadRequest(new { error = "quantity must be above 0 and at most 1,000,000" });
            var record = new UsageRecord(PlatformState.NewId(), body.Metric, body.Quantity.Value, (body.Timestamp ?? DateTimeOffset.UtcNow).ToUniversalTime());
            await state.Usage.AddAsync(user, record);
            return Results.Accepted(value: record);
        });

        app.MapGet("/billing/usage", async (HttpContext context, DateTimeOffset? from, DateTimeOffset? to) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            var (start, end) = ((from ?? DateTimeOffset.UtcNow.AddDays(-30)).ToUniversalTime(), (to ?? DateTimeOffset.UtcNow.AddMinutes(1)).ToUniversalTime());
            if (end <= start)
                return Results.BadRequest(new { error = "to must be after from" });
            var totals = (await state.Usage.RangeAsync(user, start, end)).GroupBy(r => r.Metric)
                .Select(g => new { metric = g.Key, quantity = g.Sum(r => r.Quantity), costCents = Math.Round(g.Sum(r => r.Quantity) * Prices[g.Key], 2) })
                .OrderBy(t => t.metric, StringComparer.Ordinal).ToList();
            return Results.Ok(new { from = start, to = end, totals });
        });

        app.MapPost("/billing/invoices", async (HttpContext context) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            var invoices = _invoices.GetOrAdd(user, _ => new());
            var start = invoices.LastOrDefault()?.PeriodEnd ?? DateTimeOffset.UnixEpoch;
            var end = DateTimeOffset.UtcNow;
            var lines = (await state.Usage.RangeAsync(user, start, end)).GroupBy(r => r.Metric)
                .Select(g => new InvoiceLine(g.Key, g.Sum(r => r.Quantity), Math.Round(g.Sum(r => r.Quantity) * Prices[g.Key], 2))).ToList();
            var invoice = new Invoice(PlatformState.NewId(), start, end, lines, lines.Sum(l => l.AmountCents));
            invoices.Enqueue(invoice);
            return Results.Created($"/billing/invoices/{invoice.Id}", invoice);
        });

        app.MapGet("/billing/invoices", (HttpContext context) =>
            PlatformState.UserId(context) is not { } user
                ? PlatformState.MissingUser()
                : Results.Ok(_invoices.TryGetValue(user, out var invoices) ? invoices.Reverse().Take(20) : []));
    }

    /// <summary>An invoice line.</summary>
    public sealed record InvoiceLine(string Metric, decimal Quantity, decimal AmountCents);

    /// <summary>An invoice over a period.</summary>
    public sealed record Invoice(string Id, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, IReadOnlyList<InvoiceLine> Lines, decimal TotalCents);
}

/// <summary>Usage body.</summary>
public sealed record UsageRequest(string? Metric, decimal? Quantity, DateTimeOffset? Timestamp);
