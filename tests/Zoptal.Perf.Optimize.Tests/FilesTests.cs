using System.Text;
using Zoptal.Perf.Core.Configuration;
using static Zoptal.Perf.Optimize.Tests.Support;

namespace Zoptal.Perf.Optimize.Tests;

/// <summary>Files stay as they were except for the patch (encoding, BOM, line endings, mode, every other byte), and no input is skipped silently.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
public sealed class FilesTests
{
    private static readonly OptimizeConfig Postgres16 = new()
    {
        PostgresProfile = PostgresProfile.Web,
        Storage = StorageKind.Ssd,
        Include = ["**/*"],
        Targets = [new OptimizeTarget { Files = ["**"], Cpus = 4, MemoryBytes = 8L << 30, PostgresVersion = 16, Where = "test" }],
    };

    [Fact]
    public void Encoding_bom_line_endings_and_mode_are_kept_and_only_the_edited_bytes_change()
    {
        using var repository = new Repository();
        var latin1 = Encoding.Latin1.GetBytes("# Konfiguration f\u00fcr die Datenbank\nshared_buffers = 128MB # gr\u00f6\u00dfer\n");
        var conf = Path.Combine(repository.Root, "db", "postgresql.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(conf)!);
        File.WriteAllBytes(conf, latin1);
        File.SetUnixFileMode(conf, UnixFileMode.UserRead | UnixFileMode.UserWrite); // 600: the file holds a password elsewhere
        var dockerfile = Path.Combine(repository.Root, "api", "Dockerfile");
        Directory.CreateDirectory(Path.GetDirectoryName(dockerfile)!);
        File.WriteAllBytes(dockerfile, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("FROM node:22\r\nRUN npm ci --omit-dev\r\nCMD [\"node\", \"a.js\"]\r\n")]);
        var script = Path.Combine(repository.Root, "ecosystem.config.js");
        File.WriteAllText(script, "module.exports = { apps: [{ name: 'api', script: 'server.js' }] };\n");
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101); // 755

        var outcome = repository.Optimize(apply: true, config: Postgres16);
        Assert.NotNull(outcome.BackupPath);

        var patchedConf = File.ReadAllBytes(conf);
        Assert.StartsWith("# Konfiguration f\u00fcr die Datenbank\nshared_buffers = 2GB   # gr\u00f6\u00dfer\n", Encoding.Latin1.GetString(patchedConf), StringComparison.Ordinal);
        Assert.Equal(latin1[..44], patchedConf[..44]); // the bytes before the edit, é and ü as Latin-1
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(conf));

        var patchedDockerfile = File.ReadAllBytes(dockerfile);
        Assert.Equal([0xEF, 0xBB, 0xBF], patchedDockerfile[..3]);
        Assert.Equal("FROM node:22\r\nRUN npm ci --omit=dev\r\nENV NODE_ENV=production\r\nCMD [\"node\", \"a.js\"]\r\n", Encoding.UTF8.GetString(patchedDockerfile[3..]));

        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(script));

        // The backups are byte for byte, mode included; a second apply changes nothing.
        Assert.Equal(latin1, File.ReadAllBytes(Path.Combine(outcome.BackupPath!, "db/postgresql.conf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(outcome.BackupPath!, "db/postgresql.conf")));
        Assert.Empty(repository.Optimize(apply: true, config: Postgres16).Patches);
    }

    [Fact]
    public void A_lowercase_dockerfile_is_read_and_links_and_empty_globs_are_reported()
    {
        using var repository = new Repository(("svc/dockerfile", "FROM node:latest\n"), ("svc/api.Dockerfile", "FROM node\n"));
        var outside = Directory.CreateTempSubdirectory("zoptal-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "Dockerfile"), "FROM node:latest\n");
            File.CreateSymbolicLink(Path.Combine(repository.Root, "svc", "Dockerfile.prod"), Path.Combine(outside, "Dockerfile"));
            Directory.CreateSymbolicLink(Path.Combine(repository.Root, "linked"), outside);
            var outcome = repository.Optimize(config: new OptimizeConfig { Include = ["**/{D,d}ockerfile*", "**/*.Dockerfile", "deploy/**/postgresql.conf"] });

            Assert.Equal(["svc/api.Dockerfile", "svc/dockerfile"], outcome.Files);
            Assert.Contains(outcome.Findings, f => f.RuleId == "DL3007" && f.File == "svc/dockerfile");
            Assert.Contains(outcome.Findings, f => f.RuleId == "symlink-not-followed" && f.File == "svc/Dockerfile.prod");
            Assert.Contains(outcome.Findings, f => f.RuleId == "symlink-not-followed" && f.File == "linked/");
            Assert.Contains(outcome.Findings, f => f.RuleId == "include-matched-nothing" && f.Title.Contains("deploy/**/postgresql.conf", StringComparison.Ordinal));
            Assert.Contains("include-matched-nothing", File.ReadAllText(outcome.ReportPath));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Patched_only_when_the_patch_changes_the_file_and_a_refused_patch_says_why()
    {
        // A JavaScript patch that would not parse is refused and reported, and the file is left alone.
        using var repository = new Repository(("next.config.js", "module.exports = { poweredByHeader: true };\n"));
        var outcome = repository.Optimize(apply: true);
        Assert.Contains(outcome.Findings, f => f.RuleId == "nextjs-powered-by" && f.Patch is not null);
        Assert.All(outcome.Findings.Where(f => f.Edits.Count == 0), f => Assert.Null(f.Patch));
        var report = File.ReadAllText(outcome.ReportPath);
        Assert.Contains("poweredByHeader: false (patched)", report);
        Assert.DoesNotContain("images: { formats: ['image/avif', 'image/webp'] } (patched)", report);
    }

    private const string NextConfigTs = """
        import type { NextConfig } from 'next';

        const nextConfig: NextConfig = {
          reactStrictMode: true,
          images: { remotePatterns: [{ protocol: 'https', hostname: 'cdn.zoptal.example' }] } satisfies NextConfig['images'],
        };

        export default nextConfig;

        """;

    [Fact]
    public void A_typescript_config_is_not_patched_without_a_compiler_to_check_it_and_says_so()
    {
        using var repository = new Repository(("web/next.config.ts", NextConfigTs));
        var outcome = repository.Optimize(apply: true);
        var finding = Assert.Single(outcome.Findings, f => f.RuleId == "nextjs-powered-by");
        Assert.Null(finding.Patch);
        Assert.Contains("no TypeScript compiler", finding.NotPatched, StringComparison.Ordinal);
        Assert.Equal(NextConfigTs, repository.Read("web/next.config.ts"));
        Assert.Contains("no TypeScript compiler", File.ReadAllText(outcome.ReportPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_typescript_config_is_patched_when_the_projects_typescript_accepts_the_result()
    {
        // The project's own typescript (node_modules beside the config) checks the patched text before it is written.
        var packages = await Zoptal.Perf.Testing.NodePackages.EnsureAsync("typescript", "5");
        using var repository = new Repository(("web/next.config.ts", NextConfigTs), ("web/package.json", """{ "dependencies": { "next": "15.1.0" } }"""));
        Directory.CreateSymbolicLink(Path.Combine(repository.Root, "web", "node_modules"), Path.Combine(packages, "node_modules"));
        var outcome = repository.Optimize(apply: true);

        var finding = Assert.Single(outcome.Findings, f => f.RuleId == "nextjs-powered-by");
        Assert.NotNull(finding.Patch);
        var patched = repository.Read("web/next.config.ts");
        Assert.Contains("poweredByHeader: false", patched, StringComparison.Ordinal);
        Assert.StartsWith("import type { NextConfig } from 'next';", patched, StringComparison.Ordinal);
        Assert.Contains("satisfies NextConfig['images']", patched, StringComparison.Ordinal);

        // typescript itself parses what was written, with no diagnostics.
        var diagnostics = await Zoptal.Perf.Testing.NodePackages.NodeAsync(packages, """
            const ts = require('typescript');
            const text = require('fs').readFileSync(process.argv[2], 'utf8');
            const out = ts.transpileModule(text, { reportDiagnostics: true, fileName: 'next.config.ts' });
            process.stdout.write(String(out.diagnostics.length));
            """, Path.Combine(repository.Root, "web", "next.config.ts"));
        Assert.Equal("0", diagnostics);

        // A second apply reads poweredByHeader: false (an object's "key: value," is not a parameter's type) and changes nothing.
        Assert.Empty(repository.Optimize(apply: true).Patches);
        Assert.Equal(patched, repository.Read("web/next.config.ts"));

        // A patch typescript refuses is not written: a config already broken stays as it is.
        const string broken = "const nextConfig: NextConfig = { reactStrictMode: true, };\nexport default nextConfig\nconst x: = 1;\n";
        repository.Write("web/next.config.ts", broken);
        var refused = repository.Optimize(apply: true);
        Assert.Equal(broken, repository.Read("web/next.config.ts"));
        Assert.DoesNotContain(refused.Findings, f => f.File == "web/next.config.ts" && f.Patch is not null);
    }
}
