using Zoptal.Perf.Core;
namespace Zoptal.Perf.Optimize.Docker.Rules;

/// <summary>
/// hadolint DL3057 (ignored by hadolint's defaults): a stage with no HEALTHCHECK of its own, none inherited from
/// the stage it builds on, and none in a stage built on it; <c>HEALTHCHECK NONE</c> counts as a decision.
/// </summary>
public sealed class HealthcheckMissing : IDockerfileRule
{
    private sealed record StageId(string Source, string Name, int Line);

    public IEnumerable<Finding> Check(DockerfileContext context)
    {
        var good = new HashSet<StageId>();
        var bad = new List<StageId>();
        StageId? current = null;
        foreach (var instruction in context.File.Instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                var words = instruction.Body.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                var source = ImageReference.Parse(words[0]).Repository;
                current = new StageId(source, words.Length == 3 ? words[2] : source, instruction.Line);
                if (good.Any(g => g.Name == source))
                    good.Add(current);
                else
                    bad.Add(current);
            }
            else if (instruction.Keyword == "HEALTHCHECK" && current is not null)
            {
                // The stages this one builds on count as checked too (hadolint's recurseGood).
                var healed = new HashSet<StageId> { current };
                var frontier = new Queue<StageId>([current]);
                while (frontier.TryDequeue(out var stage))
                {
                    foreach (var parent in bad.Where(b => b.Name == stage.Source && !healed.Contains(b)).ToList())
                    {
                        healed.Add(parent);
                        frontier.Enqueue(parent);
                    }
                }

                good.UnionWith(healed);
                bad.RemoveAll(healed.Contains);
            }
        }

        return bad.Select(stage => context.Finding("DL3057", Severity.Info, stage.Line, "no HEALTHCHECK",
            $"stage {stage.Name} (line {stage.Line}) neither has nor inherits a HEALTHCHECK; an orchestrator without a health check sends traffic to a container that is up but not ready (hadolint ignores DL3057 by default)",
            "HEALTHCHECK CMD [\"wget\", \"-qO-\", \"http://127.0.0.1:3000/health\"] (or a compose healthcheck; HEALTHCHECK NONE to say there is none)"));
    }
}
