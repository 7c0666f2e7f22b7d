using System.Diagnostics;
using System.Text.Json;
using Acornima;

namespace Zoptal.Perf.Optimize.Js;

/// <summary>
/// Checks a patched config before it is written: JavaScript is parsed again with Acornima as the flavour it was read
/// in; TypeScript goes through the npm <c>typescript</c> package's own diagnostics (node cannot check it), found in
/// the repository's node_modules or .nuke/temp/node. Null means it parses; otherwise the reason it is refused.
/// </summary>
public static class ScriptCheck
{
    private const string TypeScriptProgram = """
        const ts = require(process.argv[1]);
        const source = require('fs').readFileSync(0, 'utf8');
        const out = ts.transpileModule(source, { reportDiagnostics: true, fileName: process.argv[2], compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
        process.stdout.write(JSON.stringify((out.diagnostics || []).map(d => {
          const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : { line: 0, character: 0 };
          return 'line ' + (at.line + 1) + ', column ' + (at.character + 1) + ': ' + ts.flattenDiagnosticMessageText(d.messageText, ' ');
        })));
        """;

    /// <summary>Null when the text parses as the flavour; else the parser's message.</summary>
    public static string? Check(string text, JsFlavor flavor, string root, string relativePath)
    {
        if (flavor != JsFlavor.TypeScript)
        {
            try
            {
                var parser = new Parser();
                _ = flavor == JsFlavor.Script ? (Acornima.Ast.Program)parser.ParseScript(text) : parser.ParseModule(text);
                return null;
            }
            catch (ParseErrorException e)
            {
                return $"the patched file does not parse (line {e.LineNumber}, column {e.Column}: {e.Description})";
            }
        }

        var compiler = FindTypeScript(root, relativePath);
        if (compiler is null)
            return "no TypeScript compiler to check the patched file with (npm install --save-dev typescript in the project, or in .nuke/temp/node)";
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-e", TypeScriptProgram, compiler, Path.GetFileName(relativePath) })
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Write(text);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                return "the TypeScript check did not finish in 30 s";
            }

            if (process.ExitCode != 0)
                return $"the TypeScript check failed: {error.Result.Trim().Split('\n')[0]}";
            var diagnostics = JsonSerializer.Deserialize<string[]>(output.Result) ?? [];
            return diagnostics.Length == 0 ? null : $"TypeScript reports: {string.Join("; ", diagnostics.Take(3))}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "node is not installed, so the patched TypeScript cannot be checked";
        }
    }

    /// <summary>The typescript package's entry (node_modules/typescript) nearest the file, or null.</summary>
    public static string? FindTypeScript(string root, string relativePath)
    {
        var realRoot = Path.GetFullPath(root);
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(Path.Combine(root, relativePath))); folder is not null && folder.StartsWith(realRoot, StringComparison.Ordinal); folder = Path.GetDirectoryName(folder))
        {
            var candidate = Path.Combine(folder, "node_modules", "typescript");
            if (File.Exists(Path.Combine(candidate, "package.json")))
                return candidate;
        }

        var temp = Path.Combine(realRoot, ".nuke", "temp", "node", "node_modules", "typescript");
        return File.Exists(Path.Combine(temp, "package.json")) ? temp : null;
    }
}
