using System.Net;
using System.Net.Sockets;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Load.Execution;
using Zoptal.Perf.Load.Metrics;

namespace Zoptal.Perf.Load.Http;

/// <summary>
/// Times every request of one VU and records it in the running scenario's (and step's) metrics:
/// service time from the moment the request holds a connection slot, latency from the moment it was meant to
/// start (the iteration's intended start, shifted by the time the iteration took to reach the request), and the
/// latency corrected by the VU's pacing (closed models). Redirects are followed here, each hop its own sample as k6
/// emits them. Every hop's URL passes the host guard before anything is sent: a refused one is a failed request with
/// the guard's reason, and no name is looked up nor connection opened. Transport failures and timeouts become
/// responses with status 0, never exceptions out of the run.
/// </summary>
internal sealed class MeasuringHandler(VirtualUser vu, SemaphoreSlim? connectionSlots, TimeSpan timeout, TimeProvider time, HostGuard guard) : DelegatingHandler
{
    /// <summary>Redirects followed at most, as k6's maxRedirects and SocketsHttpHandler default to.</summary>
    internal const int MaxRedirects = 10;

    /// <summary>Where the transport reports the automatic retries of a request that failed (Exception.Data).</summary>
    internal const string RetriesKey = "zoptal.retries";

    private readonly long _frequency = time.TimestampFrequency;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var redirects = 0; ; redirects++)
        {
            var response = await SendOneAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || redirects == MaxRedirects || response.Headers.Location is not { } location)
                return response;
            var target = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
            if (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
                return response;
            response.Dispose();
            // As SocketsHttpHandler and k6: credentials are not carried to the next location; 303 (and 301/302 after a
            // POST) turn the request into a GET without a body.
            request.RequestUri = target;
            request.Headers.Authorization = null;
            if ((status == 303 && request.Method != HttpMethod.Head) || (status is 301 or 302 && request.Method == HttpMethod.Post))
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
            }
        }
    }

    // One hop: one sample in the metrics.
    private async Task<HttpResponseMessage> SendOneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = vu.Context;
        if (guard.Refuse(request.RequestUri) is { } refused)
        {
            context.Metrics.Requests.Record(0, 0, 0, FailureKind.HostRefused, 0, 0);
            context.CurrentStep?.Record(0, 0, 0, FailureKind.HostRefused, 0, 0);
            vu.Log($"{request.Method} {request.RequestUri}: {refused}");
            return Failed(request, refused);
        }

        var iterationToken = vu.IterationToken;
        var called = time.GetTimestamp();
        var lease = vu.BeginRequest(cancellationToken, timeout);
        var limit = lease.Source;
        var holdsSlot = false;
        HttpResponseMessage response;
        FailureKind? failure = null;
        long received = 0;
        long sent = 0;
        var retries = 0;
        var send = called;
        try
        {
            if (connectionSlots is not null)
            {
                await connectionSlots.WaitAsync(limit.Token).ConfigureAwait(false);
                holdsSlot = true;
            }

            send = time.GetTimestamp();
            sent = EstimateRequestBytes(request);
            response = await base.SendAsync(request, limit.Token).ConfigureAwait(false);
            if (response.Content is Http1ResponseContent wire)
            {
                sent = wire.WireBytesSent;
                received = wire.WireBytesReceived;
                retries = wire.Retries;
            }
            else
            {
                await response.Content.LoadIntoBufferAsync(limit.Token).ConfigureAwait(false);
                received = (response.Content.Headers.ContentLength ?? 0) + ResponseHeaderEstimate;
            }

            var status = (int)response.StatusCode;
            failure = context.Metrics.IsExpected(status) ? null
                : status >= 500 ? FailureKind.Status5xx : status >= 400 ? FailureKind.Status4xx : FailureKind.OtherError;
        }
        catch (OperationCanceledException) when (iterationToken.IsCancellationRequested)
        {
            throw; // the run is stopping: the iteration ends, nothing is recorded
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failure = FailureKind.Timeout;
            response = Failed(request, "request timed out");
        }
        catch (HttpRequestException e)
        {
            failure = Classify(e);
            retries = e.Data[RetriesKey] as int? ?? 0;
            response = Failed(request, e.InnerException?.Message ?? e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever else the transport throws is still a failed request, recorded with its reason.
            failure = FailureKind.OtherError;
            response = Failed(request, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            if (holdsSlot)
                connectionSlots!.Release();
            vu.EndRequest(lease);
        }

        var end = time.GetTimestamp();
        var lag = context.ActualStart - context.IntendedStart;
        var latency = Histograms.Microseconds(called - lag, end, _frequency);
        var service = Histograms.Microseconds(send, end, _frequency);
        context.Metrics.Requests.Record(latency, service, context.ExpectedIntervalMicroseconds, failure, sent, received, retries);
        context.CurrentStep?.Record(latency, service, context.ExpectedIntervalMicroseconds, failure, sent, received, retries);
        return response;
    }

    private static HttpResponseMessage Failed(HttpRequestMessage request, string reason) =>
        new((HttpStatusCode)0) { ReasonPhrase = reason.ReplaceLineEndings(" "), RequestMessage = request, Content = new ByteArrayContent([]) };

    internal static FailureKind Classify(HttpRequestException exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => FailureKind.ConnectionRefused,
                    SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => FailureKind.ConnectionReset,
                    SocketError.TimedOut => FailureKind.Timeout,
                    _ => FailureKind.OtherError,
                };
            }

            if (e is IOException && e.InnerException is null)
                return FailureKind.ConnectionReset;
        }

        return exception.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => FailureKind.ConnectionReset,
            HttpRequestError.ConnectionError => FailureKind.ConnectionRefused,
            _ => FailureKind.OtherError,
        };
    }

    // The lean HTTP/1.1 client reports exact wire sizes. Through SocketsHttpHandler they are not visible, and enumerating
    // headers would make HttpClient parse them all on the hot path: bodies are counted exactly, the rest estimated.
    private const long ResponseHeaderEstimate = 120;

    private static long EstimateRequestBytes(HttpRequestMessage request) =>
        request.Method.Method.Length + (request.RequestUri?.OriginalString.Length ?? 1) + 60 + (request.Content?.Headers.ContentLength ?? 0);
}
