using System.Globalization;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize.Postgres;

namespace Zoptal.Perf.Optimize.Targets;

/// <summary>A value and where it came from ("perf-config.yml:114", "compose postgres: deploy.resources.limits").</summary>
public sealed record Sourced<T>(T Value, string Source);

/// <summary>
/// The machine a file configures, field by field, each with its source; null fields are unknown (Optimize then makes
/// only the recommendations that do not depend on them, and says what to set). Disagreements between sources (the
/// config says 16GB, the live server has 8GB) are kept for the report; the earlier source wins.
/// </summary>
public sealed record Target(Sourced<double>? Cpus, Sourced<long>? Memory, Sourced<double>? PostgresVersion, Sourced<PostgresProfile> Profile, Sourced<StorageKind> Storage)
{
    public IReadOnlyList<string> Disagreements { get; init; } = [];

    /// <summary>The source of a profile or storage nobody stated: PGTune's own defaults (web, SSD), assumed.</summary>
    public const string Assumed = "assumed: nothing says";

    /// <summary>Nothing known but the config's profile and storage (assumed web and SSD when it does not say).</summary>
    public static Target Unknown(OptimizeConfig config) =>
        new(null, null, null,
            config.PostgresProfile is { } profile ? new(profile, "optimize.postgresProfile") : new(PostgresProfile.Web, Assumed),
            config.Storage is { } storage ? new(storage, "optimize.storage") : new(StorageKind.Ssd, Assumed));

    /// <summary>The workload profile is PGTune's default, not stated anywhere: settings that depend on it are advice only.</summary>
    public bool ProfileAssumed => Profile.Source == Assumed;

    /// <summary>The storage is PGTune's default, not stated anywhere: settings that depend on it are advice only.</summary>
    public bool StorageAssumed => Storage.Source == Assumed;

    /// <summary>This target with the fields it lacks taken from <paramref name="fallback"/>; differences are recorded.</summary>
    public Target Or(PartialTarget fallback)
    {
        var disagreements = Disagreements.ToList();
        Sourced<T>? Pick<T>(Sourced<T>? mine, Sourced<T>? theirs, Func<T, string> show, Func<T, T, bool> same)
        {
            if (mine is not null && theirs is not null && !same(mine.Value, theirs.Value))
                disagreements.Add($"{show(mine.Value)} ({mine.Source}) against {show(theirs.Value)} ({theirs.Source}): the first wins");
            return mine ?? theirs;
        }

        return new Target(
            Pick(Cpus, fallback.Cpus, c => $"{c.ToString("0.##", CultureInfo.InvariantCulture)} CPUs", (a, b) => Math.Abs(a - b) < 0.01),
            Pick(Memory, fallback.Memory, m => PgSize.Readable(m / 1024), (a, b) => Math.Abs(a - b) <= a / 20), // within 5 %: a cgroup limit and a config rarely match to the byte
            Pick(PostgresVersion, fallback.PostgresVersion, v => "PostgreSQL " + PgSettings.Version(v), (a, b) => a == b),
            fallback.Profile is { } p && (ProfileAssumed || Profile.Source.StartsWith("optimize.", StringComparison.Ordinal)) ? p : Profile,
            fallback.Storage is { } s && (StorageAssumed || Storage.Source.StartsWith("optimize.", StringComparison.Ordinal)) ? s : Storage)
        { Disagreements = disagreements };
    }

    /// <summary>"4 CPUs (perf-config.yml:114), 8GB (compose …), PostgreSQL 15 (image postgres:15), web profile"; unknowns named.</summary>
    public string Describe(bool postgres)
    {
        var parts = new List<string>
        {
            Cpus is { } c ? $"{c.Value.ToString("0.##", CultureInfo.InvariantCulture)} CPUs ({c.Source})" : "CPUs unknown",
            Memory is { } m ? $"{PgSize.Readable(m.Value / 1024)} ({m.Source})" : "memory unknown",
        };
        if (postgres)
        {
            parts.Add(PostgresVersion is { } v ? $"PostgreSQL {PgSettings.Version(v.Value)} ({v.Source})" : "PostgreSQL version unknown");
            parts.Add($"{Profile.Value.ToString().ToLowerInvariant()} profile ({Profile.Source})");
            parts.Add($"{Storage.Value.ToString().ToUpperInvariant()} ({Storage.Source})");
        }

        return string.Join(", ", parts);
    }
}

/// <summary>What one source knows about a machine.</summary>
public sealed record PartialTarget(Sourced<double>? Cpus = null, Sourced<long>? Memory = null, Sourced<double>? PostgresVersion = null, Sourced<PostgresProfile>? Profile = null, Sourced<StorageKind>? Storage = null)
{
    public bool IsEmpty => Cpus is null && Memory is null && PostgresVersion is null && Profile is null && Storage is null;
}
