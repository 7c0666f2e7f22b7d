using System.Text.Json;
using System.Text.RegularExpressions;
using Acornima.Ast;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>
/// next.config.js by the Next.js version in the package.json beside it (shared/reference/postgres-and-configs.md §5):
/// <c>poweredByHeader: false</c> (patched), <c>swcMinify</c> removed on 15 and later (patched), AVIF suggested,
/// <c>compiler.removeConsole</c> offered (never applied), <c>output: 'standalone'</c> when a Dockerfile runs next start,
/// <c>productionBrowserSourceMaps</c> flagged. TypeScript configs are reported without patches.
/// </summary>
public static partial class NextJsRules
{
    private const string Link = "https://nextjs.org/docs/app/api-reference/config/next-config-js";

    public static IReadOnlyList<Finding> Check(string root, string relativePath, string text)
    {
        var folder = Path.GetDirectoryName(Path.Combine(root, relativePath))!;
        var version = Version(folder);
        var versionText = version is { } v ? $"Next.js {v}" : "Next.js version unknown (no package.json with next beside the config)";
        if (relativePath.EndsWith(".ts", StringComparison.Ordinal) || relativePath.EndsWith(".mts", StringComparison.Ordinal))
            return [new Finding("nextjs-typescript", Area.Nextjs, Severity.Info, relativePath, null, "TypeScript config: read, not patched", versionText, "apply the JavaScript rules by hand", Link)];
        var config = JsConfig.Parse(text, relativePath.EndsWith(".mjs", StringComparison.Ordinal), out var error);
        if (config?.Exported is not { } exported)
        {
            return [new Finding("nextjs-unreadable", Area.Nextjs, Severity.Info, relativePath, null, "not read: " + (error is null ? "the config is not a plain exported object" : "the file does not parse"),
                error ?? "module.exports / export default is a function or a call", "nothing was changed", Link)];
        }

        var findings = new List<(Finding Finding, bool Patched)>();
        var powered = JsConfig.Get(exported, "poweredByHeader");
        if (powered?.Value is not BooleanLiteral { Value: false })
        {
            findings.Add((new Finding("nextjs-powered-by", Area.Nextjs, Severity.Info, relativePath, powered?.Location.Start.Line, "X-Powered-By: Next.js is sent",
                "every response names the framework; a few bytes, and free reconnaissance", "poweredByHeader: false", Link), true));
            if (powered is null)
                config.Add(exported, "poweredByHeader", "false");
            else
                config.Replace(powered.Value, "false");
        }

        if (JsConfig.Get(exported, "swcMinify") is { } swc && version >= 15)
        {
            findings.Add((new Finding("nextjs-swc-minify", Area.Nextjs, Severity.Warning, relativePath, swc.Location.Start.Line, "swcMinify is not an option any more",
                $"{versionText}: removed in 15 (minification is always on), so the key is reported as unrecognised", "delete swcMinify", Link), true));
            config.Remove(exported, swc);
        }

        var images = JsConfig.Get(exported, "images")?.Value as ObjectExpression;
        if (JsConfig.Get(images, "formats")?.Value is not ArrayExpression formats || !formats.Elements.OfType<StringLiteral>().Any(f => f.Value == "image/avif"))
        {
            findings.Add((new Finding("nextjs-avif", Area.Nextjs, Severity.Info, relativePath, null, "images are served as WebP only",
                "AVIF is about 20 % smaller than WebP but slower to encode (more CPU on the server)", "images: { formats: ['image/avif', 'image/webp'] }", Link), false));
        }

        if (JsConfig.Get(JsConfig.Get(exported, "compiler")?.Value as ObjectExpression, "removeConsole") is null)
        {
            findings.Add((new Finding("nextjs-remove-console", Area.Nextjs, Severity.Info, relativePath, null, "console.* calls ship to production",
                "compiler.removeConsole strips them from application code (not node_modules); it also hides logs, so it is offered, never applied", "compiler: { removeConsole: { exclude: ['error', 'warn'] } }", Link), false));
        }

        if (JsConfig.Get(exported, "productionBrowserSourceMaps")?.Value is BooleanLiteral { Value: true } maps)
        {
            findings.Add((new Finding("nextjs-source-maps", Area.Nextjs, Severity.Warning, relativePath, maps.Location.Start.Line, "browser source maps are published",
                "productionBrowserSourceMaps: true ships your sources and costs build time and memory", "turn it off unless an error tracker needs them (upload them there instead)", Link), false));
        }

        if (JsConfig.Get(exported, "output") is null && Directory.GetFiles(folder, "Dockerfile*").Any(f => NextStart().IsMatch(File.ReadAllText(f))))
        {
            findings.Add((new Finding("nextjs-standalone", Area.Nextjs, Severity.Info, relativePath, null, "the image runs next start with all of node_modules",
                "output: 'standalone' traces the files the server needs: a much smaller image", "output: 'standalone', and a Dockerfile that copies .next/standalone, .next/static and public", Link), false));
        }

        var patched = config.Apply();
        var patch = patched == text ? null : new FilePatch(relativePath, text, patched);
        return [.. findings.Select(f => f.Patched ? f.Finding with { Patch = patch } : f.Finding)];
    }

    private static int? Version(string folder)
    {
        var package = Path.Combine(folder, "package.json");
        if (!File.Exists(package))
            return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(package));
            foreach (var section in new[] { "dependencies", "devDependencies" })
            {
                if (document.RootElement.TryGetProperty(section, out var deps) && deps.TryGetProperty("next", out var next)
                    && Major().Match(next.GetString() ?? "") is { Success: true } m)
                    return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    [GeneratedRegex(@"(\d+)")]
    private static partial Regex Major();

    [GeneratedRegex(@"next\W+start|""start""")]
    private static partial Regex NextStart();
}
