using System.Net.Http.Headers;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Catalog.Services;

/// <summary>Project: CRUD, file upload and download, build and deploy with status polling, templates, search.</summary>
public sealed class ProjectScenarios : IServiceScenarios
{
    private static readonly DataFeed<string> Words = DataFeed.FromList("project-words",
        ["dashboard", "checkout", "landing", "billing", "gateway", "analytics", "mobile", "admin", "docs", "search"], FeedStrategy.Random);

    private static readonly DataFeed<int> FileSizes = DataFeed.FromList("file-sizes", [512, 4 * 1024, 32 * 1024, 256 * 1024], FeedStrategy.Circular);

    public string Service => "project";

    public IReadOnlyList<Scenario> Scenarios { get; } =
    [
        Scenario.Create("crud", Crud).WithWeight(35),
        Scenario.Create("files", Files).WithWeight(20),
        Scenario.Create("build-deploy", BuildDeploy).WithWeight(15),
        Scenario.Create("templates", Templates).WithWeight(10),
        Scenario.Create("search", Search).WithWeight(20),
    ];

    private static async Task Crud(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        var name = $"{Words.Next()}-{ctx.VuId}-{ctx.Iteration}";
        using var created = await ctx.Step("create", () => ctx.PostJson("/projects", new { name, description = $"load test project {ZoptalClient.RunTag}" }));
        ctx.Status("create status", created, 201);
        var id = (await created.Json()).Str("id");
        if (id is null)
            return;
        using (var read = await ctx.Step("read", () => ctx.Http.GetAsync($"/projects/{id}")))
            ctx.Check("read returns the project", (await read.Json()).Str("name") == name);
        using (var list = await ctx.Step("list", () => ctx.Http.GetAsync("/projects?pageSize=20")))
            ctx.Check("list has items", (await list.Json()).Count("items") > 0);
        using (var updated = await ctx.Step("update", () => ctx.PutJson($"/projects/{id}", new { description = "updated" })))
            ctx.Check("update applied", (await updated.Json()).Str("description") == "updated");
        // Keep one project in four, so lists and searches grow as a real account's do.
        if (ctx.Iteration % 4 != 0)
        {
            using var deleted = await ctx.Step("delete", () => ctx.Http.DeleteAsync($"/projects/{id}"));
            ctx.Status("delete status", deleted, 204);
        }
    }

    private static async Task Files(ScenarioContext ctx)
    {
        var project = await OwnProject(ctx);
        if (project is null)
            return;
        var size = FileSizes.Next();
        var content = new byte[size];
        Random.Shared.NextBytes(content);
        var path = $"src/file-{ctx.Iteration % 20}.bin";
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using (var uploaded = await ctx.Step("upload", () => ctx.Http.PutAsync($"/projects/{project}/files/{path}", body)))
            ctx.Check("upload accepted", uploaded.StatusCode is System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.OK);
        using (var downloaded = await ctx.Step("download", () => ctx.Http.GetAsync($"/projects/{project}/files/{path}")))
            ctx.Check("download matches the upload", (await downloaded.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(content));
        using var listed = await ctx.Step("list", () => ctx.Http.GetAsync($"/projects/{project}/files"));
        ctx.Status("file list status", listed, 200);
    }

    private static async Task BuildDeploy(ScenarioContext ctx)
    {
        var project = await OwnProject(ctx);
        if (project is null)
            return;
        using var started = await ctx.Step("build", () => ctx.Http.PostAsync($"/projects/{project}/builds", null));
        ctx.Status("build accepted", started, 202);
        var build = (await started.Json()).Str("id");
        if (build is null)
            return;
        var status = await Poll(ctx, $"/builds/{build}", "build-status");
        ctx.Check("build finished", status is "succeeded" or "failed");
        if (status != "succeeded")
            return; // one build in twenty fails by design
        using var deploying = await ctx.Step("deploy", () => ctx.PostJson($"/projects/{project}/deployments", new { buildId = build, environment = "staging" }));
        ctx.Status("deploy accepted", deploying, 202);
        var deployment = (await deploying.Json()).Str("id");
        if (deployment is not null)
            ctx.Check("deployment succeeded", await Poll(ctx, $"/deployments/{deployment}", "deploy-status") == "succeeded");
    }

    private static async Task Templates(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        using var listed = await ctx.Step("list", () => ctx.Http.GetAsync("/templates"));
        var templates = await listed.Json();
        if (!ctx.Check("templates listed", templates.ValueKind == System.Text.Json.JsonValueKind.Array && templates.GetArrayLength() > 0))
            return;
        var template = templates[(int)(ctx.Iteration % templates.GetArrayLength())].Str("id");
        using (var detail = await ctx.Step("detail", () => ctx.Http.GetAsync($"/templates/{template}")))
            ctx.Status("template detail status", detail, 200);
        using var created = await ctx.Step("create-from-template", () => ctx.PostJson("/projects", new { name = $"from-{template}-{ctx.Iteration}", templateId = template }));
        ctx.Status("project from template", created, 201);
    }

    private static async Task Search(ScenarioContext ctx)
    {
        await OwnProject(ctx);
        var term = Words.Next();
        using var found = await ctx.Step("search", () => ctx.Http.GetAsync($"/projects/search?q={term}"));
        ctx.Status("search status", found, 200);
        ctx.Check("search answers with a total", (await found.Json()).Num("total") is >= 0);
    }

    // The VU's long-lived project, created on first use.
    private static async Task<string?> OwnProject(ScenarioContext ctx)
    {
        ZoptalClient.User(ctx);
        if (ctx.State.TryGetValue("project.id", out var existing))
            return (string)existing!;
        using var created = await ctx.PostJson("/projects", new { name = $"{Words.Next()}-workspace-{ctx.VuId}", description = "files and builds" });
        if (!ctx.Status("workspace created", created, 201))
            return null;
        var id = (await created.Json()).Str("id");
        ctx.State["project.id"] = id;
        return id;
    }

    // Polls a job every 100 ms until it finishes or 10 s pass; returns its last status.
    private static async Task<string?> Poll(ScenarioContext ctx, string path, string step)
    {
        string? status = null;
        for (var i = 0; i < 100; i++)
        {
            using var response = await ctx.Step(step, () => ctx.Http.GetAsync(path));
            status = (await response.Json()).Str("status");
            if (status is "succeeded" or "failed" || response.StatusCode != System.Net.HttpStatusCode.OK)
                return status;
            await Task.Delay(100, ctx.Cancellation);
        }

        return status;
    }
}
