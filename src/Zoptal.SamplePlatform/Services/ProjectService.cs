using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Zoptal.SamplePlatform.Storage;

namespace Zoptal.SamplePlatform.Services;

/// <summary>
/// Projects of a user: CRUD, files, builds and deployments as background jobs with status polling, templates and
/// search. Requests carry the user as X-User-Id (the gateway's header).
/// </summary>
public sealed class ProjectService(PlatformState state) : IPlatformService
{
    /// <summary>The project templates every user can start from.</summary>
    public static readonly IReadOnlyList<Template> Templates =
    [
        new("nextjs-app", "Next.js app", "web", ["app/page.tsx", "next.config.mjs", "package.json"]),
        new("express-api", "Express API", "api", ["src/index.js", "package.json"]),
        new("worker", "Queue worker", "worker", ["src/worker.js", "package.json"]),
        new("static-site", "Static site", "web", ["index.html", "styles.css"]),
    ];

    private const int MaxFileBytes = 8 * 1024 * 1024;
    private readonly ConcurrentDictionary<(string Project, string Path), byte[]> _files = new();
    private readonly ConcurrentDictionary<string, Job> _jobs = new();

    public string Name => "project";

    public void Map(WebApplication app)
    {
        app.MapPost("/projects", async (ProjectRequest body, HttpContext context) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200)
                return Results.BadRequest(new { error = "name is required (at most 200 characters)" });
            var template = body.TemplateId is null ? null : Templates.FirstOrDefault(t => t.Id == body.TemplateId);
            if (body.TemplateId is not null && template is null)
                return Results.BadRequest(new { error = $"unknown template '{body.TemplateId}'" });
            var now = DateTimeOffset.UtcNow;
            var project = new ProjectRecord(PlatformState.NewId(), user, body.Name, body.Description ?? "", template?.Id, now, now);
            await state.Projects.AddAsync(project);
            foreach (var file in template?.Files ?? [])
                _files[(project.Id, file)] = System.Text.Encoding.UTF8.GetBytes($"// {file} from template {template!.Id}\n");
            return Results.Created($"/projects/{project.Id}", project);
        });

        app.MapGet("/projects", async (HttpContext context, int? page, int? pageSize) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            var size = Math.Clamp(pageSize ?? 20, 1, 100);
            var (total, items) = await state.Projects.ListAsync(user, Math.Max(page ?? 1, 1), size);
            return Results.Ok(new { total, page = page ?? 1, items });
        });

        app.MapGet("/projects/search", async (HttpContext context, string? q) =>
        {
            if (PlatformState.UserId(context) is not { } user)
                return PlatformState.MissingUser();
            if (string.IsNullOrWhiteSpace(q) || q.Length > 100)
                return Results.BadRequest(new { error = "q is required (at most 100 characters)" });
            var hits = await state.Projects.SearchAsync(user, q, 50);
            return Results.Ok(new { query = q, total = hits.Count, items = hits });
        });

        app.MapGet("/projects/{id}", async (string id, HttpContext context) =>
            await Owned(id, context) is var (problem, project) && problem is not null ? problem : Results.Ok(project));

        app.MapPut("/projects/{id}", async (string id, ProjectRequest body, HttpContext context) =>
        {
            var (problem, project) = await Owned(id, context);
            if (problem is not null)
                return problem;
            if (body.Name is { Length: 0 or > 200 })
                return Results.BadRequest(new { error = "name must be 1 to 200 characters" });
            var updated = project! with { Name = body.Name ?? project.Name, Description = body.Description ?? project.Description, UpdatedAt = DateTimeOffset.UtcNow };
            await state.Projects.UpdateAsync(updated);
            return Results.Ok(updated);
        });

        app.MapDelete("/projects/{id}", async (string id, HttpContext context) =>
        {
            if ((await Owned(id, context)).Problem is { } problem)
                return problem;
            await state.Projects.DeleteAsync(id);
            foreach (var key in _files.Keys.Where(k => k.Project == id))
                _files.TryRemove(key, out _);
            return Results.NoContent();
        });

        app.MapPut("/projects/{id}/files/{**path}", async (string id, string path, HttpContext context) =>
        {
            if ((await Owned(id, context)).Problem is { } problem)
                return problem;
            if (path.Length > 300 || path.Contains(".."))
                return Results.BadRequest(new { error = "invalid file path" });
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            if (buffer.Length > MaxFileBytes)
                return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            var created = !_files.ContainsKey((id, path));
            _files[(id, path)] = buffer.ToArray();
            return created ? Results.Created($"/projects/{id}/files/{path}", new { path, size = buffer.Length }) : Results.Ok(new { path, size = buffer.Length });
        });

        app.MapGet("/projects/{id}/files", async (string id, HttpContext context) =>
            (await Owned(id, context)).Problem is { } problem
                ? problem
                : Results.Ok(_files.Where(f => f.Key.Project == id).Select(f => new { path = f.Key.Path, size = f.Value.Length }).OrderBy(f => f.path, StringComparer.Ordinal)));

        app.MapGet("/projects/{id}/files/{**path}", async (string id, string path, HttpContext context) =>
        {
            if ((await Owned(id, context)).Problem is { } problem)
                return problem;
            return _files.TryGetValue((id, path), out var content) ? Results.Bytes(content, "application/octet-stream") : Results.NotFound(new { error = "no such file" });
        });

        app.MapPost("/projects/{id}/builds", async (string id, HttpContext context) =>
        {
            if ((await Owned(id, context)).Problem is { } problem)
                return problem;
            // A build takes about 400 ms here (log-normal); one in twenty fails, as a flaky test would make it.
            var job = Start("build", id, state.LogNormal(TimeSpan.FromMilliseconds(400), 0.5), state.Chance(0.05));
            return Results.Accepted($"/builds/{job.Id}", job.View());
        });

        app.MapGet("/builds/{id}", (string id, HttpContext context) => JobStatus("build", id, context));

        app.MapPost("/projects/{id}/deployments", async (string id, DeploymentRequest body, HttpContext context) =>
        {
            if ((await Owned(id, context)).Problem is { } problem)
                return problem;
            if (body.BuildId is null || !_jobs.TryGetValue(body.BuildId, out var build) || build.Kind != "build" || build.ProjectId != id)
                return Results.BadRequest(new { error = "buildId must name a build of this project" });
            if (build.Status != "succeeded")
                return Results.Conflict(new { error = $"build {build.Id} is {build.Status}; only a succeeded build can be deployed" });
            var job = Start("deployment", id, state.LogNormal(TimeSpan.FromMilliseconds(250), 0.4), fails: false);
            return Results.Accepted($"/deployments/{job.Id}", job.View());
        });

        app.MapGet("/deployments/{id}", (string id, HttpContext context) => JobStatus("deployment", id, context));

        app.MapGet("/templates", () => Results.Ok(Templates));
        app.MapGet("/templates/{id}", (string id) =>
            Templates.FirstOrDefault(t => t.Id == id) is { } template ? Results.Ok(template) : Results.NotFound(new { error = "no such template" }));
    }

    // The project when it belongs to the caller; else the answer to give.
    private async Task<(IResult? Problem, ProjectRecord? Project)> Owned(string id, HttpContext context)
    {
        if (PlatformState.UserId(context) is not { } user)
            return (PlatformState.MissingUser(), null);
        var project = await state.Projects.GetAsync(id);
        return project is null || project.UserId != user ? (Results.NotFound(new { error = "no such project" }), null) : (null, project);
    }

    private Job Start(string kind, string projectId, TimeSpan duration, bool fails)
    {
        var job = new Job(PlatformState.NewId(), kind, projectId, DateTimeOffset.UtcNow) { Status = "queued" };
        _jobs[job.Id] = job;
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
            job.Status = "running";
            await Task.Delay(duration);
            job.Finished = DateTimeOffset.UtcNow;
            job.Status = fails ? "failed" : "succeeded";
        });
        return job;
    }

    private async Task<IResult> JobStatus(string kind, string id, HttpContext context)
    {
        if (!_jobs.TryGetValue(id, out var job) || job.Kind != kind)
            return Results.NotFound(new { error = $"no such {kind}" });
        return (await Owned(job.ProjectId, context)).Problem ?? Results.Ok(job.View());
    }

    /// <summary>A project template.</summary>
    public sealed record Template(string Id, string Name, string Kind, IReadOnlyList<string> Files);

    private sealed class Job(string id, string kind, string projectId, DateTimeOffset created)
    {
        public string Id { get; } = id;
        public string Kind { get; } = kind;
        public string ProjectId { get; } = projectId;
        public volatile string Status = "queued";
        public DateTimeOffset? Finished { get; set; }

        public object View() => new
        {
            id = Id,
            projectId = ProjectId,
            status = Status,
            createdAt = created,
            durationMs = Finished is { } end ? (int)(end - created).TotalMilliseconds : (int?)null,
        };
    }
}

/// <summary>Create or update body of a project.</summary>
public sealed record ProjectRequest(string? Name, string? Description, string? TemplateId);

/// <summary>Deployment body.</summary>
public sealed record DeploymentRequest(string? BuildId, string? Environment);
