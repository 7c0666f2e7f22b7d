using System.Net;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Runs;

/// <summary>
/// Refuses, before any request, a service whose host is neither loopback nor listed in its <c>allowedHosts</c>:
/// nobody load-tests production by accident. Exit code 2, at the base URL's place in the file.
/// </summary>
public static class HostGuard
{
    /// <summary>Whether a host is loopback: 127.0.0.0/8, ::1 or localhost.</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Throws a <see cref="ConfigurationException"/> listing every refused service.</summary>
    public static void Check(IEnumerable<ServiceConfig> services, string configFile)
    {
        var errors = new List<ConfigError>();
        foreach (var service in services)
        {
            if (service.Embedded || service.BaseUrl is not { } url || IsLoopback(url.Host)
                || service.AllowedHosts.Contains(url.Host, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            errors.Add((service.BaseUrlAt ?? new SourcePosition(1, 1, $"services[{service.Name}].baseUrl")).Error(configFile,
                $"refusing to load-test '{url.Host}' (service '{service.Name}'): it is not loopback and not in allowedHosts",
                $"add 'allowedHosts: [{url.Host}]' to the service only if you mean to send it load"));
        }

        if (errors.Count > 0)
            throw new ConfigurationException(errors);
    }
}
