using Zoptal.Perf.Catalog;
using Zoptal.Perf.Core;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Load.Scenarios;

namespace Zoptal.Perf.Runs;

/// <summary>
/// What a run checks before it starts anything or sends a request, and what ValidateConfig checks, the same way:
/// every service's host against the guard and every scenario name (all errors at once, exit code 2), then the
/// results folder (exit code 1 when it cannot be written).
/// </summary>
public static class Preflight
{
    /// <summary>The scenarios of each chosen service; throws on the first kind of problem found.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<Scenario>> Check(EffectiveSettings settings, ScenarioCatalog catalog, string configFile, bool createResultsFolder)
    {
        var errors = new List<ConfigError>();
        try
        {
            HostGuard.CheckServices(settings.Services, configFile);
        }
        catch (ConfigurationException e)
        {
            errors.AddRange(e.Errors);
        }

        var scenarios = new Dictionary<string, IReadOnlyList<Scenario>>();
        foreach (var service in settings.Services)
        {
            try
            {
                scenarios[service.Name] = catalog.Resolve(service, configFile);
            }
            catch (ConfigurationException e)
            {
                errors.AddRange(e.Errors);
            }
        }

        if (errors.Count > 0)
            throw new ConfigurationException([.. errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        CheckResultsFolder(settings.Config.ResultsRoot, createResultsFolder);
        return scenarios;
    }

    /// <summary>
    /// The results folder must be a folder that can be written, found out before the platform starts or load is sent,
    /// not after. Without <paramref name="create"/> (ValidateConfig) nothing is left behind.
    /// </summary>
    public static void CheckResultsFolder(string root, bool create)
    {
        var existing = root;
        while (!Directory.Exists(existing) && !File.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            existing = parent;
        if (File.Exists(existing))
        {
            throw new RunFailedException(existing == root
                ? $"The results folder {root} is a file, not a folder: move the file, or set results.directory to another folder."
                : $"The results folder {root} cannot be made: {existing} is a file. Move it, or set results.directory to another folder.");
        }

        try
        {
            if (create)
            {
                Directory.CreateDirectory(root);
                existing = root;
            }

            var probe = Path.Combine(existing, $".zoptal-write-check-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFailedException($"The results folder {root} cannot be written: {e.Message} Free some space or fix the folder's permissions, or set results.directory to another folder.");
        }
    }
}
