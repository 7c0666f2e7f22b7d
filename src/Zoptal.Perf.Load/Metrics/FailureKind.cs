namespace Zoptal.Perf.Load.Metrics;

/// <summary>Why a request failed.</summary>
public enum FailureKind
{
    /// <summary>A 4xx response.</summary>
    Status4xx,

    /// <summary>A 5xx response.</summary>
    Status5xx,

    /// <summary>No response within the timeout.</summary>
    Timeout,

    /// <summary>The connection was refused.</summary>
    ConnectionRefused,

    /// <summary>The connection was reset or closed mid-request.</summary>
    ConnectionReset,

    /// <summary>Any other transport error (DNS, TLS, protocol).</summary>
    OtherError,

    /// <summary>Not sent: the host guard refused its URL (a redirect or an absolute URL to a host that is not allowed).</summary>
    HostRefused,
}
