using Zoptal.Perf.Optimize;
using Zoptal.Perf.Optimize.Rules;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>PM2 and Next.js configs patched through Acornima's spans: the rest of the file stays byte for byte.</summary>
public sealed class JsConfigRulesTests
{
    private static readonly Limits TwoCpus4Gb = new(2, 4L * 1024 * 1024 * 1024, "test limits");

    [Fact]
    public void Pm2_gets_instances_from_the_cpu_quota_and_memory_from_each_instances_share()
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
        var findings = Pm2Rules.Check("ecosystem.config.js", text, TwoCpus4Gb);
        Assert.Equal(["pm2-instances", "pm2-max-memory-restart", "pm2-heap", "pm2-uv-threadpool"], findings.Select(f => f.RuleId));
        Assert.Contains("2048 MiB of the 4096 MiB limit", findings[1].Evidence);
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
            """, findings[0].Patch!.Updated);
        Assert.Null(findings[3].Patch); // UV_THREADPOOL_SIZE is advice: the service's work decides
        // Applied once, the file has nothing left to patch.
        Assert.All(Pm2Rules.Check("ecosystem.config.js", findings[0].Patch!.Updated, TwoCpus4Gb), f => Assert.Null(f.Patch));
    }

    [Fact]
    public void Nextjs_15_loses_swcMinify_and_gains_poweredByHeader_and_the_rest_is_advice()
    {
        var root = Directory.CreateTempSubdirectory("zoptal-next-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "package.json"), """{ "dependencies": { "next": "^15.1.0" } }""");
            File.WriteAllText(Path.Combine(root, "Dockerfile"), "FROM node:22\nCMD [\"npx\", \"next\", \"start\"]\n");
            const string text = """
                /** @type {import('next').NextConfig} */
                const nextConfig = {
                  reactStrictMode: true,
                  swcMinify: true, // faster builds
                  productionBrowserSourceMaps: true,
                };

                module.exports = nextConfig;
                """;
            var findings = NextJsRules.Check(root, "next.config.js", text);
            Assert.Equal(["nextjs-powered-by", "nextjs-swc-minify", "nextjs-avif", "nextjs-remove-console", "nextjs-source-maps", "nextjs-standalone"], findings.Select(f => f.RuleId));
            Assert.Equal("""
                /** @type {import('next').NextConfig} */
                const nextConfig = {
                  reactStrictMode: true,
                  productionBrowserSourceMaps: true,
                  poweredByHeader: false,
                };

                module.exports = nextConfig;
                """, findings[0].Patch!.Updated);
            Assert.All(findings.Where(f => f.RuleId is "nextjs-remove-console" or "nextjs-source-maps" or "nextjs-avif"), f => Assert.Null(f.Patch));

            // Version-aware: on 14, swcMinify is still an option.
            File.WriteAllText(Path.Combine(root, "package.json"), """{ "dependencies": { "next": "14.2.3" } }""");
            Assert.DoesNotContain(NextJsRules.Check(root, "next.config.js", text), f => f.RuleId == "nextjs-swc-minify");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("next.config.js", "module.exports = (phase) => ({ reactStrictMode: true });", "nextjs-unreadable")]
    [InlineData("next.config.js", "module.exports = { reactStrictMode: true,, };", "nextjs-unreadable")]
    [InlineData("next.config.ts", "const config: NextConfig = {}; export default config;", "nextjs-typescript")]
    public void Configs_it_cannot_follow_are_reported_and_never_patched(string file, string text, string rule)
    {
        var finding = Assert.Single(NextJsRules.Check(Path.GetTempPath(), file, text));
        Assert.Equal(rule, finding.RuleId);
        Assert.Null(finding.Patch);
    }

    [Fact]
    public void An_esm_config_with_export_default_is_patched_too()
    {
        const string text = "const nextConfig = { poweredByHeader: true };\nexport default nextConfig;\n";
        var finding = NextJsRules.Check(Path.GetTempPath(), "next.config.mjs", text).Single(f => f.RuleId == "nextjs-powered-by");
        Assert.Equal("const nextConfig = { poweredByHeader: false };\nexport default nextConfig;\n", finding.Patch!.Updated);
    }
}
