using System.Net;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Core.Net;

/// <summary>
/// Which hosts load may go to: loopback (127.0.0.0/8, ::1, localhost) and the hosts a service lists in
/// <c>allowedHosts</c>, so nobody load-tests production by accident. The config is checked before anything starts
/// (<see cref="CheckServices"/>, exit code 2 at the base URL's place); the engine asks <see cref="Refuse"/> again at
/// send time for every URL (declared paths, health checks, each redirect hop, scenario code's absolute URLs), before
/// any name lookup or connection.
/// </summary>
public sealed class HostGuard
{
    private readonly HashSet<string> _allowed;

    /// <summary>A guard that allows loopback and <paramref name="allowedHosts"/> (compared without case).</summary>
    public HostGuard(IEnumerable<string> allowedHosts) => _allowed = new HashSet<string>(allowedHosts.Select(Normalize), StringComparer.OrdinalIgnoreCase);

    /// <summary>Loopback only.</summary>
    public static HostGuard LoopbackOnly { get; } = new([]);

    /// <summary>Loopback and the host of <paramref name="baseAddress"/> (what a run of the engine alone may reach).</summary>
    public static HostGuard For(Uri? baseAddress, IEnumerable<string>? allowedHosts = null) =>
        new([.. allowedHosts ?? [], .. baseAddress is { IsAbsoluteUri: true } ? [baseAddress.IdnHost] : Array.Empty<string>()]);

    /// <summary>Whether a host is loopback: 127.0.0.0/8, ::1 or localhost.</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Whether load may go to a host.</summary>
    public bool Allows(string host) => IsLoopback(host) || _allowed.Contains(Normalize(host));

    /// <summary>Null when the URL may be sent to; otherwise why not, as a failed request's reason says it.</summary>
    public string? Refuse(Uri? uri)
    {
        if (uri is not { IsAbsoluteUri: true })
            return "refused by the host guard: the URL is not absolute";
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            return $"refused by the host guard: '{uri.Scheme}' is not http or https";
        return Allows(uri.IdnHost) ? null : $"refused by the host guard: '{uri.IdnHost}' is neither loopback nor in the service's allowedHosts";
    }

    private static string Normalize(string host) => host.Trim('[', ']').TrimEnd('.');

    /// <summary>Throws a <see cref="ConfigurationException"/> listing every service whose base URL the guard refuses.</summary>
    public static void CheckServices(IEnumerable<ServiceConfig> services, string configFile)
    {
        var errors = new List<ConfigError>();
        foreach (var service in services)
        {
            if (service.Embedded || service.BaseUrl is not { } url || new HostGuard(service.AllowedHosts).Allows(url.IdnHost))
                continue;
            errors.Add((service.BaseUrlAt ?? new SourcePosition(1, 1, $"services[{service.Name}].baseUrl")).Error(configFile,
                $"refusing to load-test '{url.Host}' (service '{service.Name}'): it is not loopback and not in allowedHosts",
                $"add 'allowedHosts: [{url.Host}]' to the service only if you mean to send it load"));
        }

        if (errors.Count > 0)
            throw new ConfigurationException(errors);
    }
}
