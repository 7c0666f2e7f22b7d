using System.Data.Common;
using System.Text.Json;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Secrets;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.History;

/// <summary>A finished run as the history keeps it: who and when, the whole summary, and (when asked for) its per-second series.</summary>
public sealed record HistoryEntry(string RunId, DateTimeOffset StartedAt, string? Commit, string? Branch, int? PullRequest, bool Aborted, RunSummary Summary, RunSeries Series);

/// <summary>
/// Every reported run. A run is recorded once: reporting it again replaces its record. Baselines are read from a
/// branch's complete runs, never from pull requests'.
/// </summary>
public interface IHistoryStore : IDisposable
{
    /// <summary>Where the history lives, for messages (never a password).</summary>
    string Description { get; }

    /// <summary>Records a run (replacing an earlier record of the same run), its strings passed through <paramref name="masker"/>.</summary>
    void Record(RunSummary run, RunSeries series, int? pullRequest, SecretMasker? masker = null);

    /// <summary>
    /// The newest complete runs of a branch that are not pull request runs, started before <paramref name="before"/>,
    /// newest first; their series only when <paramref name="withSeries"/> (trends need the summaries alone).
    /// </summary>
    IReadOnlyList<HistoryEntry> BranchRuns(string branch, DateTimeOffset before, int count, bool withSeries);

    /// <summary>One run by id, with its series; null when the history does not hold it.</summary>
    HistoryEntry? Find(string runId);

    /// <summary>How many runs the store holds.</summary>
    long Count();
}

/// <summary>The row both stores select: run_id, started_at, commit_sha, branch, pull_request, aborted, summary, series.</summary>
internal static class HistoryRows
{
    /// <summary>Every row of a query as entries; the stores differ only in how they keep the start time and the aborted flag.</summary>
    public static List<HistoryEntry> ReadAll(DbDataReader reader, Func<DbDataReader, DateTimeOffset> startedAt, Func<DbDataReader, bool> aborted)
    {
        var entries = new List<HistoryEntry>();
        while (reader.Read())
        {
            entries.Add(new HistoryEntry(
                reader.GetString(0), startedAt(reader),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), aborted(reader),
                JsonSerializer.Deserialize<RunSummary>(reader.GetString(6), RunDirectory.Json)!,
                RunSeries.FromJson(reader.IsDBNull(7) ? null : reader.GetString(7))));
        }

        return entries;
    }
}

/// <summary>Opens the store the config names.</summary>
public static class HistoryStores
{
    /// <summary>SQLite in the results folder, or PostgreSQL (password from the environment, as Npgsql reads <c>PGPASSWORD</c>).</summary>
    public static IHistoryStore Open(ResultsConfig results, string resultsRoot) => results.HistoryStore switch
    {
        HistoryStoreKind.Postgres => PostgresHistoryStore.Open(results.HistoryConnectionString
            ?? throw new RunFailedException("results.history.store is postgres but no connectionString is given.")),
        _ => new SqliteHistoryStore(Path.Combine(resultsRoot, results.HistoryPath)),
    };
}

/// <summary>What a history store keeps of a run: its summary and its series as JSON, secrets masked before encoding.</summary>
internal static class HistoryDocuments
{
    public static string Summary(RunSummary run, SecretMasker? masker) =>
        (masker ?? SecretMasker.Shared).Apply(System.Text.Json.JsonSerializer.SerializeToNode(run, RunDirectory.Json))!.ToJsonString(RunDirectory.Json);

    public static string Series(RunSeries series, SecretMasker? masker) =>
        (masker ?? SecretMasker.Shared) is { IsEmpty: false } m ? m.Apply(System.Text.Json.Nodes.JsonNode.Parse(series.ToJson()))!.ToJsonString() : series.ToJson();
}
