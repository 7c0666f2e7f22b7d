using Zoptal.Perf.Optimize.Docker;
using static Zoptal.Perf.Optimize.Tests.Support;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>Compose files read as Compose resolves them: merge keys, extends, the logging drivers, Node-only rules on Node services.</summary>
public sealed class ComposeTests
{
    private static IReadOnlyList<Finding> Check(Repository repository, string path = "docker-compose.yml") =>
        ComposeRules.Check(path, ComposeFile.Load(repository.Root, path, repository.Read(path)), ComposeRules.IsNode);

    [Fact]
    public void Merge_keys_and_extends_are_resolved_before_the_rules_run()
    {
        using var repository = new Repository(("docker-compose.yml", """
            x-defaults: &defaults
              deploy:
                resources:
                  limits: { cpus: "1", memory: 512M }
              logging:
                driver: local
              healthcheck:
                test: [CMD, true]
            x-more: &more
              init: true
            services:
              api:
                <<: [*defaults, *more]
                image: node:22
              worker:
                extends: { service: api }
                image: node:22
              other:
                extends:
                  file: common.yml
                  service: base
                image: python:3.12
            """), ("common.yml", """
            services:
              base:
                mem_limit: 1g
                logging: { options: { max-size: 10m } }
                healthcheck: { disable: true }
            """));
        var findings = Check(repository);
        Assert.Empty(findings);
        var services = ComposeFile.Load(repository.Root, "docker-compose.yml", repository.Read("docker-compose.yml"));
        Assert.Equal(512L * 1024 * 1024, services.Single(s => s.Name == "worker").MemoryLimit);
        Assert.Equal(1024L * 1024 * 1024, services.Single(s => s.Name == "other").MemoryLimit);
    }

    [Theory]
    [InlineData("local", false)]
    [InlineData("journald", false)]
    [InlineData("json-file", true)]
    public void The_local_driver_rotates_and_json_file_does_not(string driver, bool fires)
    {
        using var repository = new Repository(("docker-compose.yml", $"services:\n  db:\n    image: redis:7\n    logging: {{ driver: {driver} }}\n"));
        Assert.Equal(fires, Check(repository).Any(f => f.RuleId == "compose-log-rotation"));
    }

    [Fact]
    public void Node_only_rules_fire_only_on_node_services()
    {
        using var repository = new Repository(("docker-compose.yml", """
            services:
              web: { image: node:22-alpine }
              ml: { build: ./ml }
              db: { image: postgres:16 }
              api: { build: ./api }
              unknown: { build: ./missing }
            """), ("ml/Dockerfile", "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n"), ("api/Dockerfile", "FROM node:22 AS build\nRUN npm ci\nFROM node:22-slim\nCMD [\"node\", \"a.js\"]\n"));
        var init = Check(repository).Where(f => f.RuleId == "compose-init").Select(f => f.Title.Split(':')[0]).ToList();
        Assert.Equal(["web", "api"], init);
    }

    [Fact]
    public void A_key_that_is_not_a_scalar_or_a_duplicate_key_never_aborts_the_run()
    {
        using var repository = new Repository(("docker-compose.yml", "services:\n  ? [a, b]\n  : { image: x }\n  web: { image: node:22 }\n"), ("b/docker-compose.yml", "services:\n  web: { image: a }\n  web: { image: b }\n"),
            ("c/Dockerfile", "FROM\n"), ("d/next.config.js", "var a = 1; var a = 2; module.exports = { a };\n"));
        var outcome = repository.Optimize();
        Assert.True(outcome.Findings.Any(f => f.File == "docker-compose.yml" && f.Title.StartsWith("web:", StringComparison.Ordinal)), string.Join("\n", outcome.Findings.Where(f => f.File == "docker-compose.yml").Select(f => f.RuleId + " " + f.Title + " " + f.Evidence)));
        Assert.Contains(outcome.Findings, f => f.RuleId == "compose-unreadable" && f.File == "b/docker-compose.yml" && f.Evidence.Contains("Duplicate key web", StringComparison.Ordinal));
        Assert.Contains(outcome.Findings, f => f.RuleId == "dockerfile-unreadable" && f.File == "c/Dockerfile" && f.Line == 1);
        Assert.Contains(outcome.Findings, f => f.File == "d/next.config.js" && f.RuleId == "nextjs-powered-by");
    }

    [Fact]
    public void A_postgres_service_shm_is_compared_with_shared_buffers_for_its_memory_limit()
    {
        using var repository = new Repository(("docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    deploy: { resources: { limits: { memory: 4G } } }\n  small:\n    image: postgres:16\n    shm_size: 1gb\n    mem_limit: 2g\n  unsized:\n    image: postgres:16\n"));
        var shm = Check(repository).Where(f => f.RuleId == "compose-postgres-shm").ToList();
        var finding = Assert.Single(shm);
        Assert.Equal("db: /dev/shm 64MB is below shared_buffers 1GB", finding.Title);
    }
}
