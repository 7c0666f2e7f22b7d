using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Optimize.Js;
using static Zoptal.Perf.Optimize.Tests.Support;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>PM2 and Next.js configs patched through Acornima's spans: the rest of the file stays byte for byte.</summary>
public sealed class JsConfigRulesTests
{
    private static IReadOnlyList<Finding> Pm2(string text, Targets.Target target, JsFlavor flavor = JsFlavor.Script) =>
        Pm2Rules.Check("ecosystem.config.js", JsConfig.Parse(text, flavor, out var error) ?? throw new InvalidOperationException(error), target);

    [Fact]
    public void Pm2_gets_instances_from_the_targets_cpus_and_memory_from_each_instances_share()
    {
        const string text = """
            // PM2 process file
            module.exports = {
              apps: [
                {
                  name: 'auth-service',
                  script: 'dist/index.js',
                  instances: 'max', // one per core
                  exec_mode: 'cluster',
                  max_memory_restart: '4G',
                },
              ],
            };
            """;
        var target = Target(cpus: 2, memoryGb: 4);
        var findings = Pm2(text, target);
        Assert.Equal(["pm2-instances", "pm2-max-memory-restart", "pm2-heap", "pm2-uv-threadpool"], findings.Select(f => f.RuleId));
        Assert.Contains("one of the 2 processes of the file's 1 app: 2048 MiB each of the target's 4096 MiB", findings[1].Evidence);
        Assert.Equal("""
            // PM2 process file
            module.exports = {
              apps: [
                {
                  name: 'auth-service',
                  script: 'dist/index.js',
                  instances: 2, // one per core
                  exec_mode: 'cluster',
                  max_memory_restart: '1740M',
                  node_args: '--max-old-space-size=1433',
                },
              ],
            };
            """, Patched(text, findings));
        Assert.Empty(findings[3].Edits); // UV_THREADPOOL_SIZE is advice: the service's work decides
        Assert.All(Pm2(Patched(text, findings), target), f => Assert.Empty(f.Edits)); // applied once, nothing is left
    }

    [Fact]
    public void Pm2_shares_the_memory_among_every_process_of_the_file_and_keeps_under_an_apps_own_limit()
    {
        // Real files: five apps on one machine each got the whole machine's heap; -1 (all cores but one) became every core;
        // a heap above the app's own max_memory_restart: '1G' would be restarted by PM2 before V8 collected.
        const string text = """
            module.exports = {
              apps: [
                { name: 'api', script: 'api.js', exec_mode: 'cluster', instances: -1 },
                { name: 'indexer', script: 'indexer.js', max_memory_restart: '300M' },
                { name: 'ml', script: 'model.py', interpreter: 'python3' },
              ],
            };
            """;
        var findings = Pm2(text, Target(cpus: 4, memoryGb: 2));
        var patched = Patched(text, findings);
        // 4 CPUs: -1 is 3 api processes, plus indexer and ml: 5 processes, 409 MiB each of 2048.
        Assert.Contains("instances: 3,", patched, StringComparison.Ordinal);
        Assert.Contains("{ name: 'api', script: 'api.js', exec_mode: 'cluster', instances: 3, max_memory_restart: '347M', node_args: '--max-old-space-size=286' }", patched, StringComparison.Ordinal);
        Assert.Contains("{ name: 'indexer', script: 'indexer.js', max_memory_restart: '300M', node_args: '--max-old-space-size=210' }", patched, StringComparison.Ordinal);
        Assert.Contains("{ name: 'ml', script: 'model.py', interpreter: 'python3', max_memory_restart: '347M' }", patched, StringComparison.Ordinal);
    }

    [Fact]
    public void Pm2_never_sizes_without_a_target_and_never_from_this_machine()
    {
        const string text = "module.exports = { apps: [{ name: 'api', script: 'server.js', instances: 'max', exec_mode: 'cluster' }] };";
        var findings = Pm2(text, Target());
        Assert.All(findings, f => Assert.Empty(f.Edits));
        Assert.Contains(findings, f => f.RuleId == "pm2-instances" && f.Recommendation.Contains("optimize.targets", StringComparison.Ordinal));
        var unknown = Assert.Single(findings, f => f.RuleId == "pm2-target-unknown");
        Assert.Contains("never sizes for the machine it runs on", unknown.Evidence);
    }

    [Theory]
    [InlineData("{ name: 'ml', script: 'train.py', interpreter: 'python3' }")]
    [InlineData("{ name: 'backup', script: './backup.sh', interpreter: 'bash' }")]
    [InlineData("{ name: 'ml', script: 'main.py' }")] // PM2 picks python by the extension
    [InlineData("{ name: 'web', script: 'npm', args: 'start' }")]
    [InlineData("{ name: 'bin', script: 'python3', args: 'worker.py' }")]
    public void Pm2_node_args_only_for_apps_node_runs(string app)
    {
        var findings = Pm2($"module.exports = {{ apps: [{app}] }};", Target(cpus: 4, memoryGb: 8));
        Assert.DoesNotContain(findings, f => f.RuleId == "pm2-heap");
        Assert.DoesNotContain("node_args", Patched($"module.exports = {{ apps: [{app}] }};", findings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ name: 'reports', script: 'cron.js', cron_restart: '0 * * * *', autorestart: false }")]
    [InlineData("{ name: 'chat-bot', script: 'bot.js' }")]
    [InlineData("{ name: 'queue-worker', script: 'worker.js' }")]
    [InlineData("{ name: 'api', script: 'server.js', env: { PORT: 3000 } }")] // a server: cluster is advice, never a patch
    public void Pm2_never_adds_cluster_mode(string app)
    {
        var text = $"module.exports = {{ apps: [{app}] }};";
        var findings = Pm2(text, Target(cpus: 4, memoryGb: 8));
        Assert.DoesNotContain("cluster", Patched(text, findings), StringComparison.Ordinal);
        Assert.DoesNotContain("instances", Patched(text, findings), StringComparison.Ordinal);
        if (app.Contains("PORT", StringComparison.Ordinal))
            Assert.Contains("only a stateless one survives cluster mode", Assert.Single(findings, f => f.RuleId == "pm2-cluster").Evidence);
        else
            Assert.DoesNotContain(findings, f => f.RuleId == "pm2-cluster");
    }

    [Fact]
    public void Edits_to_one_object_are_planned_together_and_keep_commas_and_comments()
    {
        // An empty app gets every property in one insertion, with commas.
        var empty = "module.exports = { apps: [{}] };";
        var patched = Patched(empty, Pm2(empty, Target(cpus: 2, memoryGb: 2)));
        Assert.Equal("module.exports = { apps: [{ max_memory_restart: '1740M' }] };", patched);
        var config = JsConfig.Parse("module.exports = { apps: [{}] };", JsFlavor.Script, out _)!;
        var app = (Acornima.Ast.ObjectExpression)((Acornima.Ast.ArrayExpression)JsConfig.Get(config.Exported, "apps")!.Value).Elements[0]!;
        config.Add(app, "a", "1");
        config.Add(app, "b", "2");
        config.Add(app, "c", "3");
        Assert.Equal("module.exports = { apps: [{ a: 1, b: 2, c: 3 }] };", Patching.TextEdits.Apply(config.Text, config.Edits()));

        // A trailing comment stays on its line; the new property goes after it.
        const string commented = """
            module.exports = {
              apps: [{
                name: 'api',
                script: 'server.js' // the entry
              }]
            };
            """;
        var result = Patched(commented, Pm2(commented, Target(cpus: 2, memoryGb: 2)));
        Assert.Equal("""
            module.exports = {
              apps: [{
                name: 'api',
                script: 'server.js', // the entry
                max_memory_restart: '1740M',
                node_args: '--max-old-space-size=1433'
              }]
            };
            """, result);
    }

    [Fact]
    public void A_config_declaring_a_var_twice_is_read_the_way_node_runs_it()
    {
        var config = JsConfig.Parse("var apps = []; var apps = [{ name: 'a', script: 'a.js' }]; module.exports = { apps: apps };", JsFlavor.Script, out var error);
        Assert.Null(error);
        Assert.NotNull(config!.Exported);
    }

    private static IReadOnlyList<Finding> Next(Repository repository, string path)
    {
        var text = repository.Read(path);
        var config = JsConfig.Parse(text, NextJsRules.Flavor(repository.Root, path), out var error) ?? throw new InvalidOperationException(error);
        return NextJsRules.Check(repository.Root, path, config);
    }

    [Fact]
    public void Nextjs_15_loses_swcMinify_and_gains_poweredByHeader_and_the_rest_is_advice()
    {
        const string text = """
            /** @type {import('next').NextConfig} */
            const nextConfig = {
              reactStrictMode: true,
              swcMinify: true, // faster builds
              productionBrowserSourceMaps: true,
            };

            module.exports = nextConfig;
            """;
        using var repository = new Repository(("package.json", """{ "dependencies": { "next": "^15.1.0" } }"""), ("Dockerfile", "FROM node:22\nCMD [\"npx\", \"next\", \"start\"]\n"), ("next.config.js", text));
        var findings = Next(repository, "next.config.js");
        Assert.Equal(["nextjs-powered-by", "nextjs-swc-minify", "nextjs-avif", "nextjs-remove-console", "nextjs-source-maps", "nextjs-standalone"], findings.Select(f => f.RuleId));
        Assert.Equal("""
            /** @type {import('next').NextConfig} */
            const nextConfig = {
              reactStrictMode: true,
              // faster builds
              productionBrowserSourceMaps: true,
              poweredByHeader: false,
            };

            module.exports = nextConfig;
            """, Patched(text, findings));
        Assert.All(findings.Where(f => f.RuleId is "nextjs-remove-console" or "nextjs-source-maps" or "nextjs-avif"), f => Assert.Empty(f.Edits));

        // Version-aware: on 14, swcMinify is still an option.
        repository.Write("package.json", """{ "dependencies": { "next": "14.2.3" } }""");
        Assert.DoesNotContain(Next(repository, "next.config.js"), f => f.RuleId == "nextjs-swc-minify");
    }

    [Fact]
    public void An_object_whose_only_key_is_removed_and_another_added_stays_valid()
    {
        using var repository = new Repository(("package.json", """{ "dependencies": { "next": "15.0.0" } }"""), ("next.config.js", "module.exports = { swcMinify: true }"));
        var patched = Patched("module.exports = { swcMinify: true }", Next(repository, "next.config.js"));
        Assert.Equal("module.exports = { poweredByHeader: false }", patched);
    }

    [Theory]
    [InlineData("next.config.js", "const withPWA = require('next-pwa')({ dest: 'public' });\nmodule.exports = withPWA({ reactStrictMode: true });\n", "withPWA(...)")]
    [InlineData("next.config.js", "const withBundleAnalyzer = require('@next/bundle-analyzer')({ enabled: false });\nconst nextConfig = { reactStrictMode: true };\nmodule.exports = withBundleAnalyzer(nextConfig);\n", "withBundleAnalyzer(...)")]
    [InlineData("next.config.js", "const a = require('x')({ enabled: false });\nmodule.exports = a({ output: 'standalone' })({ reactStrictMode: true });\n", null)]
    [InlineData("next.config.js", "module.exports = (phase, { defaultConfig }) => ({ reactStrictMode: true });\n", "the function's return value")]
    [InlineData("next.config.mjs", "import withX from 'x';\nconst nextConfig = { reactStrictMode: true };\nexport default withX(nextConfig, { silent: true });\n", "withX(...)")]
    public void Wrapped_and_function_configs_are_read_through_to_the_inner_object(string file, string text, string? through)
    {
        using var repository = new Repository(("next.config.js".Equals(file, StringComparison.Ordinal) ? file : file, text));
        var config = JsConfig.Parse(text, NextJsRules.Flavor(repository.Root, file), out var error);
        Assert.Null(error);
        Assert.NotNull(config!.Exported);
        if (through is not null)
            Assert.StartsWith(through, config.Through);
        var findings = NextJsRules.Check(repository.Root, file, config);
        var patched = Patched(text, findings);
        Assert.Contains("poweredByHeader: false", patched);
        Assert.Null(ScriptCheck.Check(patched, NextJsRules.Flavor(repository.Root, file), repository.Root, file));
    }

    [Fact]
    public void A_js_config_in_a_type_module_package_is_read_as_a_module()
    {
        using var repository = new Repository(("package.json", """{ "type": "module", "dependencies": { "next": "15.2.0" } }"""),
            ("next.config.js", "const nextConfig = { reactStrictMode: true };\nexport default nextConfig;\n"));
        Assert.Equal(JsFlavor.Module, NextJsRules.Flavor(repository.Root, "next.config.js"));
        Assert.Contains(Next(repository, "next.config.js"), f => f.RuleId == "nextjs-powered-by" && f.Edits.Count > 0);
    }

    [Fact]
    public void No_avif_advice_when_images_are_not_optimised()
    {
        using var repository = new Repository(("next.config.js", "module.exports = { images: { unoptimized: true } };"), ("b/next.config.js", "module.exports = { output: 'export' };"));
        Assert.DoesNotContain(Next(repository, "next.config.js"), f => f.RuleId == "nextjs-avif");
        Assert.DoesNotContain(Next(repository, "b/next.config.js"), f => f.RuleId == "nextjs-avif");
    }

    [Fact]
    public void A_shorthand_property_gets_a_value_and_an_object_in_a_typescript_config_is_not_taken_for_parameters()
    {
        using var repository = new Repository(
            ("a/next.config.js", "const poweredByHeader = true;\nmodule.exports = { poweredByHeader };\n"),
            ("b/next.config.ts", "const nextConfig: NextConfig = {\n  async rewrites() { return [] },\n  poweredByHeader: false,\n  compress: true,\n};\nexport default nextConfig;\n"));
        Assert.Equal("const poweredByHeader = true;\nmodule.exports = { poweredByHeader: false };\n", Patched(repository.Read("a/next.config.js"), Next(repository, "a/next.config.js")));
        Assert.DoesNotContain(Next(repository, "b/next.config.ts"), f => f.RuleId == "nextjs-powered-by");
    }

    [Fact]
    public void A_patch_that_does_not_parse_is_refused()
    {
        Assert.Contains("does not parse", ScriptCheck.Check("module.exports = { , a: 1 };", JsFlavor.Script, Path.GetTempPath(), "next.config.js"));
        Assert.Null(ScriptCheck.Check("module.exports = { a: 1 };", JsFlavor.Script, Path.GetTempPath(), "next.config.js"));
    }
}
