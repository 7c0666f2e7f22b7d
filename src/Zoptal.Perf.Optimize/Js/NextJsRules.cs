using System.Text.Json;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Zoptal.Perf.Core;

namespace Zoptal.Perf.Optimize.Js;

/// <summary>
/// next.config.* by the Next.js version in the nearest package.json (shared/reference/postgres-and-configs.md §5):
/// <c>poweredByHeader: false</c> (patched), <c>swcMinify</c> removed on 15 and later (patched), AVIF suggested
/// (not with <c>images.unoptimized</c>), <c>compiler.removeConsole</c> offered (never applied), <c>output: 'standalone'</c>
/// when a Dockerfile beside it runs next start, <c>productionBrowserSourceMaps</c> flagged. The config is read
/// through plugin wrappers and config functions; TypeScript configs too.
/// </summary>
public static partial class NextJsRules
{
    private const string Link = "https://nextjs.org/docs/app/api-reference/config/next-config-js";

    public static IReadOnlyList<Finding> Check(string root, string relativePath, JsConfig config)
    {
        var folder = Path.GetDirectoryName(Path.Combine(root, relativePath))!;
        var version = Version(root, folder);
        var versionText = version is { } v ? $"Next.js {v}" : "Next.js version unknown (no package.json naming next)";
        Finding Create(string id, Severity severity, int? line, string title, string evidence, string recommendation) =>
            new(id, Area.Nextjs, severity, relativePath, line, title, evidence, recommendation, Link);
        if (config.Exported is not { } exported)
        {
            return [Create("nextjs-unreadable", Severity.Info, null, "not read: the exported config is not an object this reader can follow",
                "module.exports / export default is neither an object, a variable holding one, a plugin call wrapping one, nor a function returning one", "nothing was changed")];
        }

        var through = config.Through is { } t ? $" (read through {t})" : "";
        var findings = new List<Finding>();
        var patching = new List<int>();
        var powered = JsConfig.Get(exported, "poweredByHeader");
        if (powered?.Value is not BooleanLiteral { Value: false })
        {
            patching.Add(findings.Count);
            findings.Add(Create("nextjs-powered-by", Severity.Info, powered?.Location.Start.Line, "X-Powered-By: Next.js is sent",
                $"every response names the framework: a few bytes, and free reconnaissance{through}", "poweredByHeader: false"));
            if (powered is null)
                config.Add(exported, "poweredByHeader", "false");
            else
                config.ReplaceValue(powered, "false");
        }

        if (JsConfig.Get(exported, "swcMinify") is { } swc)
        {
            if (version >= 15)
            {
                patching.Add(findings.Count);
                findings.Add(Create("nextjs-swc-minify", Severity.Warning, swc.Location.Start.Line, "swcMinify is not an option any more",
                    $"{versionText}: removed in 15 (minification is always on), so the key is reported as unrecognised", "delete swcMinify"));
                config.Remove(exported, swc);
            }
        }

        var images = JsConfig.Get(exported, "images")?.Value as ObjectExpression;
        var unoptimized = JsConfig.Get(images, "unoptimized")?.Value is BooleanLiteral { Value: true } || JsConfig.Get(exported, "output")?.Value is StringLiteral { Value: "export" };
        if (!unoptimized && (JsConfig.Get(images, "formats")?.Value is not ArrayExpression formats || !formats.Elements.OfType<StringLiteral>().Any(f => f.Value == "image/avif")))
        {
            findings.Add(Create("nextjs-avif", Severity.Info, null, "images are served as WebP only",
                "AVIF is about 20 % smaller than WebP but slower to encode (more CPU on the server)", "images: { formats: ['image/avif', 'image/webp'] }"));
        }

        if (JsConfig.Get(JsConfig.Get(exported, "compiler")?.Value as ObjectExpression, "removeConsole") is null)
        {
            findings.Add(Create("nextjs-remove-console", Severity.Info, null, "console.* calls ship to production",
                "compiler.removeConsole strips them from application code (not node_modules); it also hides logs, so it is offered, never applied", "compiler: { removeConsole: { exclude: ['error', 'warn'] } }"));
        }

        if (JsConfig.Get(exported, "productionBrowserSourceMaps")?.Value is BooleanLiteral { Value: true } maps)
        {
            findings.Add(Create("nextjs-source-maps", Severity.Warning, maps.Location.Start.Line, "browser source maps are published",
                "productionBrowserSourceMaps: true ships your sources and costs build time and memory", "turn it off unless an error tracker needs them (upload them there instead)"));
        }

        if (JsConfig.Get(exported, "output") is null && Directory.GetFiles(folder, "Dockerfile*").Any(f => NextStart().IsMatch(File.ReadAllText(f))))
        {
            findings.Add(Create("nextjs-standalone", Severity.Info, null, "the image runs next start with all of node_modules",
                "output: 'standalone' traces the files the server needs: a much smaller image", "output: 'standalone', and a Dockerfile that copies .next/standalone, .next/static and public"));
        }

        var edits = config.Edits();
        foreach (var index in patching)
            findings[index] = findings[index] with { Edits = edits };
        return findings;
    }

    /// <summary>The flavour a config is read in: TypeScript by extension, a module for .mjs or a .js in a "type": "module" package.</summary>
    public static JsFlavor Flavor(string root, string relativePath)
    {
        var extension = Path.GetExtension(relativePath).ToLowerInvariant();
        if (extension is ".ts" or ".mts" or ".cts")
            return JsFlavor.TypeScript;
        if (extension == ".mjs")
            return JsFlavor.Module;
        if (extension == ".cjs")
            return JsFlavor.Script;
        return PackageJson(root, Path.GetDirectoryName(Path.Combine(root, relativePath))!) is { } package && package.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "module"
            ? JsFlavor.Module : JsFlavor.Script;
    }

    private static int? Version(string root, string folder)
    {
        using var package = PackageJson(root, folder, mustName: "next");
        if (package is null)
            return null;
        foreach (var section in new[] { "dependencies", "devDependencies" })
        {
            if (package.RootElement.TryGetProperty(section, out var deps) && deps.ValueKind == JsonValueKind.Object && deps.TryGetProperty("next", out var next)
                && next.ValueKind == JsonValueKind.String && Major().Match(next.GetString()!) is { Success: true } m)
                return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return null;
    }

    // The nearest package.json from the folder up to the repository root (that names a dependency, when asked).
    private static JsonDocument? PackageJson(string root, string folder, string? mustName = null)
    {
        var realRoot = Path.GetFullPath(root);
        for (var current = Path.GetFullPath(folder); current.StartsWith(realRoot, StringComparison.Ordinal); current = Path.GetDirectoryName(current)!)
        {
            var path = Path.Combine(current, "package.json");
            if (File.Exists(path))
            {
                try
                {
                    var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                    if (mustName is null || document.RootElement.ValueKind == JsonValueKind.Object && new[] { "dependencies", "devDependencies" }.Any(s =>
                            document.RootElement.TryGetProperty(s, out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty(mustName, out _)))
                        return document;
                    document.Dispose();
                }
                catch (JsonException)
                {
                }

                if (mustName is null)
                    return null;
            }

            if (current == realRoot)
                break;
        }

        return null;
    }

    [GeneratedRegex(@"(\d+)")]
    private static partial Regex Major();

    [GeneratedRegex(@"next\W+start|""start""")]
    private static partial Regex NextStart();
}
