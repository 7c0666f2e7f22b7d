using Zoptal.Perf.Optimize.Docker;
using static Zoptal.Perf.Optimize.Tests.Support;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>The Dockerfile grammar as BuildKit reads it, and the Node rules that patch: by stage, by role, never into a here-document.</summary>
public sealed class DockerfileTests
{
    private static IReadOnlyList<Finding> Check(string dockerfile, string path = "Dockerfile") => DockerfileRules.Check(path, dockerfile);

    [Fact]
    public void The_parser_follows_directives_continuations_comments_heredocs_and_stages()
    {
        const string text = """
            # syntax=docker/dockerfile:1.7
            # escape=`
            ARG NODE_VERSION=22
            FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-alpine AS Build
            RUN npm ci `
            # a comment inside the continuation
            
                && npm run build
            RUN <<EOF
            FROM this is the script, not an instruction
            ENV neither is this
            EOF
            COPY <<-"CONF" <<APP /etc/
            	tab-stripped
            	CONF
            app
            APP
            FROM build
            CMD ["node", "dist/index.js"]
            """;
        var file = Dockerfile.Parse(text);
        Assert.Equal('`', file.Escape);
        Assert.Equal("docker/dockerfile:1.7", file.Directives["syntax"]);
        Assert.Equal(["ARG", "FROM", "RUN", "RUN", "COPY", "FROM", "CMD"], file.Instructions.Select(i => i.Keyword));
        Assert.Equal(2, file.Stages.Count);
        Assert.Equal("node:22-alpine", file.Stages[0].Image);
        Assert.Equal("build", file.Stages[0].Name);
        Assert.Equal("platform", file.Stages[0].From.Flags[0].Name);
        Assert.Same(file.Stages[0], file.Stages[1].Parent);
        Assert.Equal("node", file.Stages[1].BaseImage.Name);
        var run = file.Instructions[2];
        Assert.Equal("npm ci     && npm run build", run.Arguments);
        Assert.Equal((5, 8), (run.Line, run.LastLine));
        Assert.Equal("FROM this is the script, not an instruction\nENV neither is this\n", file.Instructions[3].Heredocs[0].Body);
        var copy = file.Instructions[4];
        Assert.Equal(["CONF", "APP"], copy.Heredocs.Select(h => h.Name));
        Assert.Equal("tab-stripped\n", copy.Heredocs[0].Body);
        Assert.True(copy.Heredocs[0].Quoted);
        Assert.Equal(["node", "dist/index.js"], file.Instructions[6].ExecForm);

        // An argument's characters map back to the file, across the continuation's removed lines.
        var build = run.Arguments.IndexOf("npm run build", StringComparison.Ordinal);
        var span = run.FileSpan(build, build + "npm run build".Length)!.Value;
        Assert.Equal("npm run build", text[span.Start..span.End]);
    }

    [Theory]
    [InlineData("FROM\n", 1, "FROM without an image")]
    [InlineData("FROM node:22\nRUN x\nFORM node\n", 3, "unknown instruction: FORM")]
    [InlineData("FROM postgres:9.3\nRUN rm -rf\n  /etc/cron.daily/dpkg \\\n  /etc/cron.weekly/fstrim\n", 3, "unknown instruction: /etc/cron.daily/dpkg")] // a missing backslash
    [InlineData("RUN echo\nFROM node:22\n", 1, "before the first FROM")]
    [InlineData("FROM node:22\nRUN <<EOF\necho\n", 2, "never closed")]
    [InlineData("FROM a b\n", 1, "takes an image and optionally AS")]
    public void A_file_BuildKit_refuses_is_one_finding_with_its_line(string text, int line, string reason)
    {
        var finding = Assert.Single(Check(text));
        Assert.Equal("dockerfile-unreadable", finding.RuleId);
        Assert.Equal(line, finding.Line);
        Assert.Contains(reason, finding.Evidence);
        Assert.Empty(finding.Edits);
    }

    [Fact]
    public void Exec_form_that_is_not_json_is_the_shell_form()
    {
        var file = Dockerfile.Parse("FROM node:22\nCMD [node, server.js]\n");
        Assert.Null(file.Instructions[1].ExecForm);
        Assert.Contains(Check("FROM node:22\nCMD [node, server.js]\n"), f => f.RuleId == "DL3025" && f.Edits.Count == 0);
    }

    [Fact]
    public void Node_env_goes_into_the_runtime_stage_after_its_build_steps()
    {
        // typescript, tailwind and vite are devDependencies: NODE_ENV before npm install would drop them and break the build.
        const string text = """
            FROM node:20-slim
            WORKDIR /app
            COPY package*.json ./
            RUN npm install
            COPY . .
            RUN npm run build
            EXPOSE 3000
            CMD ["node", "dist/server.js"]
            """;
        var findings = Check(text);
        Assert.Equal("""
            FROM node:20-slim
            WORKDIR /app
            COPY package*.json ./
            RUN npm install
            COPY . .
            RUN npm run build
            ENV NODE_ENV=production
            EXPOSE 3000
            CMD ["node", "dist/server.js"]
            """, Patched(text, findings));
        Assert.Contains("after the stage's last RUN (line 6)", findings.Single(f => f.RuleId == "node-env-production").Evidence);
    }

    [Theory]
    [InlineData("Dockerfile.dev", "FROM node:22\nRUN npm install\nCMD [\"node\", \"index.js\"]\n")]
    [InlineData("Dockerfile.test", "FROM node:22\nRUN npm install\nCMD [\"node\", \"index.js\"]\n")]
    [InlineData("docker/dev.Dockerfile", "FROM node:22\nRUN npm install\nCMD [\"node\", \"index.js\"]\n")]
    [InlineData("Dockerfile", "FROM node:22 AS development\nRUN npm install\nCMD [\"node\", \"index.js\"]\n")]
    [InlineData("Dockerfile", "FROM node:22\nRUN npm install\nCMD [\"npm\", \"run\", \"dev\"]\n")]
    [InlineData("Dockerfile", "FROM node:22\nRUN npm install\nCMD npx nodemon index.js\n")]
    [InlineData("Dockerfile", "FROM node:20-alpine\nRUN pnpm install --frozen-lockfile\nCMD [\"pnpm\", \"--filter\", \"@app/frontend\", \"dev\"]\n")]
    [InlineData("e2b.Dockerfile", "FROM node:21-slim\nRUN npx --yes create-next-app@15.3.3 . --yes\nRUN mv /home/user/nextjs-app/* /home/user/\n")] // a sandbox template: no CMD
    [InlineData("Dockerfile", "FROM node:22\nARG NODE_ENV=production\nRUN npm install\nCMD [\"node\", \"index.js\"]\n")]
    [InlineData("Dockerfile", "FROM node:22 AS base\nENV NODE_ENV=production\nFROM base\nCMD [\"node\", \"index.js\"]\n")]
    [InlineData("Dockerfile", "FROM node:22 AS build\nRUN npm ci\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n")]
    public void Node_env_never_goes_into_development_test_or_non_node_images(string path, string text)
    {
        Assert.DoesNotContain(Check(text, path), f => f.RuleId == "node-env-production");
    }

    [Fact]
    public void Node_rules_apply_per_stage_by_the_stages_base_image()
    {
        // A node builder, an nginx runtime: no USER node, no NODE_ENV, no node init in the nginx stage.
        const string text = "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci && npm run build\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n";
        var findings = Check(text);
        Assert.DoesNotContain(findings, f => f.RuleId is "node-user" or "node-env-production" or "node-init" or "cmd-node-not-npm");
        Assert.Equal(text, Patched(text, findings));
    }

    [Fact]
    public void Nothing_is_written_into_a_heredoc()
    {
        const string text = "FROM node:22\nRUN <<EOF\nFROM node:22\nnpm install --production\nEOF\nCMD [\"node\", \"index.js\"]\n";
        var findings = Check(text);
        var patched = Patched(text, findings);
        Assert.Equal("FROM node:22\nRUN <<EOF\nFROM node:22\nnpm install --production\nEOF\nENV NODE_ENV=production\nCMD [\"node\", \"index.js\"]\n", patched);
        Assert.Contains(findings, f => f.RuleId == "npm-production-deprecated" && f.Edits.Count == 0); // seen in the script, not patched there
    }

    [Theory]
    [InlineData("CMD exec node server.js")]
    [InlineData("CMD node server.js $PORT")]
    [InlineData("CMD NODE_OPTIONS=--max-old-space-size=512 node server.js")]
    [InlineData("CMD node server.js && echo done")]
    [InlineData("CMD cd /app && node server.js")]
    public void Shell_form_commands_that_need_the_shell_stay_as_they_are(string cmd)
    {
        var text = $"FROM node:22\nENV NODE_ENV=production\n{cmd}\n";
        var findings = Check(text);
        Assert.Contains(findings, f => f.RuleId == "DL3025" && f.Edits.Count == 0);
        Assert.Equal(text, Patched(text, findings));
    }

    [Fact]
    public void A_plain_command_becomes_the_json_form()
    {
        var findings = Check("FROM node:22\nENV NODE_ENV=production\nCMD node dist/index.js --port=3000\n");
        Assert.Equal("FROM node:22\nENV NODE_ENV=production\nCMD [\"node\", \"dist/index.js\", \"--port=3000\"]\n", Patched("FROM node:22\nENV NODE_ENV=production\nCMD node dist/index.js --port=3000\n", findings));
    }

    [Theory]
    [InlineData("RUN npm ci --production=false", null)] // the opposite of --omit=dev
    [InlineData("RUN yarn install --production", null)] // yarn's own flag
    [InlineData("RUN pnpm install --production", null)]
    [InlineData("RUN npm ci --production", "RUN npm ci --omit=dev")]
    [InlineData("RUN npm ci --only=production && npm cache clean --force", "RUN npm ci --omit=dev && npm cache clean --force")]
    [InlineData("RUN npm ci \\\n    --omit-dev", "RUN npm ci \\\n    --omit=dev")]
    [InlineData("RUN echo '--production' && npm ci", null)]
    public void Npm_flags_are_rewritten_only_for_npm_and_only_when_they_mean_omit_dev(string run, string? expected)
    {
        var text = $"FROM node:22\nENV NODE_ENV=production\n{run}\n";
        var patched = Patched(text, Check(text));
        Assert.Equal($"FROM node:22\nENV NODE_ENV=production\n{expected ?? run}\n", patched);
    }

    [Fact]
    public void Npm_flags_are_not_patched_where_npm_may_not_know_omit()
    {
        const string text = "FROM node:14-alpine\nENV NODE_ENV=production\nRUN npm ci --production\n";
        var finding = Check(text).Single(f => f.RuleId == "npm-production-deprecated");
        Assert.Empty(finding.Edits);
        Assert.Contains("older than 7", finding.Evidence);
    }

    [Fact]
    public void Line_endings_and_a_missing_final_newline_are_kept()
    {
        const string text = "FROM node:22\r\nRUN npm ci\r\nCMD [\"node\", \"a.js\"]";
        Assert.Equal("FROM node:22\r\nRUN npm ci\r\nENV NODE_ENV=production\r\nCMD [\"node\", \"a.js\"]", Patched(text, Check(text)));
        const string last = "FROM node:22\nCMD [\"node\", \"a.js\"]\nRUN npm ci";
        Assert.Equal("FROM node:22\nCMD [\"node\", \"a.js\"]\nRUN npm ci\nENV NODE_ENV=production", Patched(last, Check(last)));
    }

    [Fact]
    public void Dockerignore_is_checked_beside_the_dockerfile()
    {
        using var repository = new Repository(("api/Dockerfile", "FROM node:22\nCOPY . .\nRUN npm ci\n"), ("web/Dockerfile", "FROM node:22\nCOPY . .\n"), ("web/.dockerignore", ".git\n"),
            ("ok/Dockerfile", "FROM node:22\nCOPY . .\n"), ("ok/.dockerignore", "**/node_modules\n"));
        Assert.Contains(DockerfileRules.Check("api/Dockerfile", repository.Read("api/Dockerfile"), Path.Combine(repository.Root, "api")), f => f.RuleId == "dockerignore" && f.Title == "no .dockerignore");
        Assert.Contains(DockerfileRules.Check("web/Dockerfile", repository.Read("web/Dockerfile"), Path.Combine(repository.Root, "web")), f => f.RuleId == "dockerignore" && f.Title.Contains("keeps node_modules", StringComparison.Ordinal));
        Assert.DoesNotContain(DockerfileRules.Check("ok/Dockerfile", repository.Read("ok/Dockerfile"), Path.Combine(repository.Root, "ok")), f => f.RuleId == "dockerignore");
    }
}
