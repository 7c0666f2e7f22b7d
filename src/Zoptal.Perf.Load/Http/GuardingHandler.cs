using Zoptal.Perf.Core.Net;

namespace Zoptal.Perf.Load.Http;

/// <summary>
/// The host guard for requests that are not measured (init and cleanup hooks): a URL the guard refuses throws before
/// anything is sent, with the guard's reason.
/// </summary>
internal sealed class GuardingHandler(HostGuard guard) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        guard.Refuse(request.RequestUri) is { } refused
            ? Task.FromException<HttpResponseMessage>(new HttpRequestException($"{request.Method} {request.RequestUri}: {refused}"))
            : base.SendAsync(request, cancellationToken);
}
