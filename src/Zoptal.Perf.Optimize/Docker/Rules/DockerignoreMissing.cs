using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// A Dockerfile that copies its whole build context (<c>COPY . .</c>) with no <c>.dockerignore</c> beside it (nor a
/// <c>&lt;Dockerfile&gt;.dockerignore</c>): node_modules, .git and local .env files go to the builder and into the image.
/// With one that does not name node_modules, a Node stage's <c>COPY . .</c> overwrites the modules it installed.
/// </summary>
public sealed class DockerignoreMissing : IDockerfileRule
{
    private const string Link = "https://docs.docker.com/build/concepts/context/#dockerignore-files";

    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        if (context.Folder is null)
            yield break;
        var copyAll = context.File.Stages.SelectMany(s => s.Instructions.Select(i => (Stage: s, Instruction: i)))
            .FirstOrDefault(x => x.Instruction.Keyword is "COPY" or "ADD" && x.Instruction.Flag("from") is null && CopiesContext(x.Instruction));
        if (copyAll.Instruction is null)
            yield break;
        var name = Path.GetFileName(context.RelativePath);
        var ignore = new[] { Path.Combine(context.Folder, name + ".dockerignore"), Path.Combine(context.Folder, ".dockerignore") }.FirstOrDefault(File.Exists);
        if (ignore is null)
        {
            yield return context.Finding("dockerignore", Severity.Warning, copyAll.Instruction.Line, "no .dockerignore",
                $"{copyAll.Instruction.Keyword} {copyAll.Instruction.Body} sends the whole folder (node_modules, .git, .env files) to the builder and into the image; there is no .dockerignore beside {name} (the build context when docker build runs in that folder)",
                "a .dockerignore with at least: node_modules, .git, .env*, npm-debug.log", Link);
        }
        else if (DockerfileContext.IsNode(copyAll.Stage) && !File.ReadAllLines(ignore).Any(l => l.Trim().TrimStart('*', '/').StartsWith("node_modules", StringComparison.Ordinal)))
        {
            yield return context.Finding("dockerignore", Severity.Info, copyAll.Instruction.Line, ".dockerignore keeps node_modules",
                $"{Path.GetFileName(ignore)} does not name node_modules: {copyAll.Instruction.Keyword} {copyAll.Instruction.Body} copies the host's modules (built for another OS) over the image's",
                "add node_modules to .dockerignore", Link);
        }
    }

    private static bool CopiesContext(DockerInstruction instruction)
    {
        var words = instruction.ExecForm ?? instruction.Body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return words.Count >= 2 && words.Take(words.Count - 1).Any(w => DockerfileContext.DropQuotes(w) is "." or "./" or "./." or "*");
    }
}
