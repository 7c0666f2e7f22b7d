using Zoptal.Perf.Probes.Postgres;

namespace Zoptal.Perf.Probes.Tests;

/// <summary>Version detection from what the catalogs list, against the pg_stat_statements column sets of 12 to 17.</summary>
public sealed class PgCapabilitiesTests
{
    private static readonly string[] Common = ["userid", "dbid", "queryid", "query", "calls", "rows", "shared_blks_hit", "shared_blks_read"];

    public static TheoryData<int, string[], string[], string> Versions => new()
    {
        { 120000, ["total_time", "min_time", "max_time", "mean_time", "stddev_time", "blk_read_time", "blk_write_time"], ["pg_stat_statements"], "total_time" },
        { 130000, ["plans", "total_plan_time", "total_exec_time", "mean_exec_time", "wal_records", "blk_read_time"], ["pg_stat_statements"], "(total_plan_time + total_exec_time)" },
        { 140000, ["toplevel", "plans", "total_plan_time", "total_exec_time", "blk_read_time"], ["pg_stat_statements", "pg_stat_statements_info"], "(total_plan_time + total_exec_time)" },
        { 150000, ["toplevel", "total_plan_time", "total_exec_time", "jit_functions", "temp_blk_read_time"], ["pg_stat_statements", "pg_stat_statements_info"], "(total_plan_time + total_exec_time)" },
        { 160000, ["toplevel", "total_plan_time", "total_exec_time", "jit_deform_count"], ["pg_stat_statements", "pg_stat_statements_info"], "(total_plan_time + total_exec_time)" },
        { 170000, ["toplevel", "total_plan_time", "total_exec_time", "shared_blk_read_time", "local_blk_read_time", "stats_since"], ["pg_stat_statements", "pg_stat_statements_info", "pg_stat_checkpointer"], "(total_plan_time + total_exec_time)" },
    };

    [Theory]
    [MemberData(nameof(Versions))]
    public void The_time_columns_and_views_are_found_by_name_not_by_version(int version, string[] columns, string[] relations, string totalTime)
    {
        var capabilities = PgCapabilities.From(version, version.ToString(), relations.ToHashSet(), Common.Concat(columns).ToHashSet(),
            version >= 160000 ? new HashSet<string> { "seq_scan", "last_seq_scan" } : ["seq_scan"], preloaded: true);
        Assert.Equal(totalTime, capabilities.TotalTimeExpression);
        Assert.True(capabilities.Statements);
        Assert.Equal(version >= 140000, capabilities.HasToplevel);
        Assert.Equal(version >= 140000, capabilities.HasStatementsInfo);
        Assert.Equal(version >= 170000, capabilities.HasCheckpointer);
        Assert.Equal(version >= 160000, capabilities.HasLastScanColumns);
        Assert.Equal(version >= 160000, capabilities.GenericPlanExplain);
    }

    [Fact]
    public void Without_the_view_or_the_preload_there_are_no_statement_times()
    {
        Assert.False(PgCapabilities.From(150000, "15", new HashSet<string>(), new HashSet<string>(), new HashSet<string>(), preloaded: true).Statements);
        Assert.False(PgCapabilities.From(150000, "15", new HashSet<string> { "pg_stat_statements" }, Common.Append("total_exec_time").ToHashSet(), new HashSet<string>(), preloaded: false).Statements);
    }

    [Theory]
    [InlineData("(lower(email) = lower($1))", "lower(email)")]
    [InlineData("(user_id = $1)", "user_id")]
    [InlineData("((user_id)::text = $1)", "user_id")]
    [InlineData("((user_id = $1) AND ((name ~~* $2) OR (description ~~* $2)))", "user_id")]
    [InlineData("((created_at > $2) AND (tenant = $1))", "tenant,created_at")]
    public void Plan_filters_become_index_keys_equality_first(string filter, string keys)
    {
        Assert.Equal(keys.Split(','), PlanReader.Keys(filter));
    }
}
