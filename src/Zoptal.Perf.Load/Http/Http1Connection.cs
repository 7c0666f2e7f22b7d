using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Zoptal.Perf.Load.Http;

/// <summary>
/// One keep-alive HTTP/1.1 connection: writes a request in one send and parses the response out of one receive
/// buffer. Bodies are read completely (Content-Length, chunked, or until the server closes), so a response handed
/// out needs nothing more from the socket. A body too large for the first send is uploaded while the response is
/// read, so a server that answers early (a 413 before the upload ends) is heard, as Go's transport hears it.
/// </summary>
internal sealed class Http1Connection(Socket socket) : IDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private byte[] _write = new byte[1024];
    private int _written;
    private byte[] _read = new byte[4096];
    private int _start;
    private int _end;
    private readonly string?[] _valueCache = new string?[KnownHeaders.Count];
    private bool _responseStarted;
    private long _bytesWritten;
    private volatile bool _cancelled;
    private volatile bool _disposed;

    /// <summary>True once the connection has carried a response.</summary>
    public bool Reused { get; private set; }

    /// <summary>Whether the connection can carry another request after the last response.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>Bytes of the last request on the wire.</summary>
    public int RequestBytes { get; private set; }

    /// <summary>Bytes of the last request actually written to the socket (less than <see cref="RequestBytes"/> after a failure).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Bytes of the last response's status line and headers on the wire.</summary>
    public int ResponseHeaderBytes { get; private set; }

    /// <summary>When the connection went back to the pool (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long IdleSince { get; set; }

    /// <summary>
    /// Whether an idle connection can carry a request: a non-blocking poll that finds neither end of stream nor stray
    /// bytes (a server that closed it while idle, or wrote something unasked).
    /// </summary>
    public bool IsUsable()
    {
        if (_disposed)
            return false;
        try
        {
            return !socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HttpResponseMessage> SendAsync(HttpRequestMessage request, string hostHeader, byte[]? body, string? cookies, CancellationToken cancellationToken)
    {
        var closeRequested = WriteRequest(request, hostHeader, body, cookies);
        _responseStarted = false;
        _bytesWritten = 0;
        KeepAlive = false;
        // One registration per request rather than one per socket call: cancelling closes the connection, and the
        // pending call fails. A connection closed that way never goes back to the pool, even when the response had
        // just been read completely.
        cancellationToken.ThrowIfCancellationRequested();
        var registration = cancellationToken.UnsafeRegister(static s => ((Http1Connection)s!).CancelNow(), this);
        var none = CancellationToken.None;
        Task<Exception?>? upload = null;
        try
        {
            var pending = _write.AsMemory(0, _written);
            while (pending.Length > 0)
            {
                var sent = await socket.SendAsync(pending, SocketFlags.None, none).ConfigureAwait(false);
                Interlocked.Add(ref _bytesWritten, sent);
                pending = pending[sent..];
            }

            if (body is { Length: > 0 } && _written < RequestBytes)
                upload = UploadAsync(body);
            while (true)
            {
                // Read until the buffer holds the status line and the header block (in this method: the hot path
                // costs one state machine, not three).
                int headerLength;
                var searched = 0;
                while ((headerLength = FindHeadEnd(ref searched)) < 0)
                {
                    var received = await socket.ReceiveAsync(FreeSpace(), SocketFlags.None, none).ConfigureAwait(false);
                    if (received == 0)
                        throw new EndOfResponseException();
                    Filled(received);
                }

                var response = ParseHead(request, headerLength, out var bodyKind, out var contentLength);
                var status = (int)response.StatusCode;
                if (status is >= 100 and < 200 and not 101)
                {
                    response.Dispose();
                    continue; // 100 Continue and friends: the real response follows
                }

                ((Http1ResponseContent)response.Content).Body = bodyKind switch
                {
                    BodyKind.None => [],
                    BodyKind.Length when _end - _start >= contentLength => TakeBuffered((int)contentLength),
                    BodyKind.Length => await ReadExactAsync(contentLength, none).ConfigureAwait(false),
                    BodyKind.Chunked => await ReadChunkedAsync(none).ConfigureAwait(false),
                    _ => await ReadToEndAsync(none).ConfigureAwait(false),
                };

                // Not reusable: asked to close, read to the close, switched protocols, bytes beyond the response, or an
                // upload the server answered before it ended (it may still be sending, or have failed).
                if (closeRequested || bodyKind == BodyKind.ToClose || status == 101 || _end > _start
                    || upload is not null && (!upload.IsCompleted || upload.Result is not null))
                    KeepAlive = false;
                Reused = true;
                return response;
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is SocketException or ObjectDisposedException or EndOfResponseException)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (e is SocketException or EndOfResponseException && !_responseStarted)
        {
            // Closed before any byte of a response: the handler decides whether the request may be sent again.
            var uploadError = upload is { IsCompleted: true } ? upload.Result : null;
            throw new ConnectionClosedException(Reused, BytesWritten == 0, uploadError ?? (e as SocketException));
        }
        catch (SocketException e)
        {
            throw new HttpRequestException(HttpRequestError.Unknown, e.Message, e);
        }
        catch (EndOfResponseException)
        {
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The server closed the connection before the response was complete.");
        }
        finally
        {
            registration.Dispose(); // waits for a callback that is running
            if (_cancelled || _disposed)
                KeepAlive = false;
        }
    }

    private void CancelNow()
    {
        _cancelled = true;
        Dispose();
    }

    // The part of the body that did not fit the first send, written while the response is read; its error, if any,
    // is its result, so nothing is left unobserved when the response arrives first.
    private async Task<Exception?> UploadAsync(byte[] body)
    {
        try
        {
            var rest = body.AsMemory(_written - (RequestBytes - body.Length));
            while (rest.Length > 0)
            {
                var sent = await socket.SendAsync(rest, SocketFlags.None, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref _bytesWritten, sent);
                rest = rest[sent..];
            }

            return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return e;
        }
    }

    // The request line, Host, the caller's headers, Content-Length and cookies; the body too when it fits.
    private bool WriteRequest(HttpRequestMessage request, string hostHeader, byte[]? body, string? cookies)
    {
        _written = 0;
        var uri = request.RequestUri!;
        Append(request.Method.Method);
        Append(" ");
        Append(uri.PathAndQuery);
        Append(" HTTP/1.1\r\nHost: ");
        Append(request.Headers.Host ?? hostHeader);
        Append("\r\n");
        var close = request.Headers.ConnectionClose == true;
        foreach (var header in request.Headers.NonValidated)
        {
            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                continue;
            AppendHeader(header.Key, header.Value, header.Key.Equals("User-Agent", StringComparison.OrdinalIgnoreCase) ? " " : ", ");
        }

        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    AppendHeader(header.Key, header.Value, ", ");
            }
        }

        if (body is not null || request.Method == HttpMethod.Post || request.Method == HttpMethod.Put || request.Method == HttpMethod.Patch)
        {
            Append("Content-Length: ");
            AppendNumber(body?.Length ?? 0);
            Append("\r\n");
        }

        if (cookies is { Length: > 0 })
        {
            Append("Cookie: ");
            Append(cookies);
            Append("\r\n");
        }

        Append("\r\n");
        RequestBytes = _written + (body?.Length ?? 0);
        if (body is { Length: > 0 and <= 64 * 1024 })
        {
            Reserve(body.Length);
            body.CopyTo(_write, _written);
            _written += body.Length;
        }

        return close;
    }

    private void AppendHeader(string name, HeaderStringValues values, string separator)
    {
        Append(name);
        Append(": ");
        var first = true;
        foreach (var value in values)
        {
            if (value.AsSpan().ContainsAny('\r', '\n'))
                throw new HttpRequestException(HttpRequestError.Unknown, $"The value of request header '{name}' contains a line break.");
            if (!first)
                Append(separator);
            Append(value);
            first = false;
        }

        Append("\r\n");
    }

    private void Append(string text)
    {
        Reserve(text.Length);
        _written += Encoding.Latin1.GetBytes(text, _write.AsSpan(_written));
    }

    private void AppendNumber(long value)
    {
        Reserve(20);
        Utf8Formatter.TryFormat(value, _write.AsSpan(_written), out var length);
        _written += length;
    }

    private void Reserve(int length)
    {
        if (_written + length > _write.Length)
            Array.Resize(ref _write, Math.Max(_write.Length * 2, _written + length));
    }

    // The length of the status line and header block with its blank line, once the buffer holds all of it; else -1.
    private int FindHeadEnd(ref int searched)
    {
        var found = _read.AsSpan(_start + searched, _end - _start - searched).IndexOf(HeaderEnd);
        if (found >= 0)
            return searched + found + HeaderEnd.Length;
        searched = Math.Max(0, _end - _start - 3);
        if (_end - _start >= MaxHeaderBytes)
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"The response headers are longer than {MaxHeaderBytes / 1024} KB.");
        return -1;
    }

    // Room at the end of the receive buffer: unread bytes move to the front, or the buffer grows when they fill it.
    private Memory<byte> FreeSpace()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _read.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_read, _start, _read, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _read, _read.Length * 2);
            }
        }

        return _read.AsMemory(_end);
    }

    private void Filled(int received)
    {
        _end += received;
        _responseStarted = true;
    }

    private async ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        var received = await socket.ReceiveAsync(FreeSpace(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (received > 0)
            Filled(received);
        return received;
    }

    private HttpResponseMessage ParseHead(HttpRequestMessage request, int length, out BodyKind bodyKind, out long contentLength)
    {
        var head = _read.AsSpan(_start, length - 2); // keep one CRLF: every line ends with one
        _start += length;
        ResponseHeaderBytes = length;
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var consumed) || consumed != 3)
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"Not an HTTP/1.x status line: '{Encoding.Latin1.GetString(statusLine[..Math.Min(statusLine.Length, 80)])}'.");
        }

        var minor = statusLine[7] - (byte)'0';
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Version = minor == 0 ? HttpVersion.Version10 : HttpVersion.Version11,
            RequestMessage = request,
            Content = new Http1ResponseContent(),
        };
        if (statusLine.Length > 13)
            response.ReasonPhrase = Encoding.Latin1.GetString(statusLine[13..]);
        var keepAlive = minor != 0;
        var chunked = false;
        contentLength = -1;
        var rest = head[(lineEnd + 2)..];
        while (rest.Length > 0)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = rest[..end];
            rest = rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t')
                throw new HttpRequestException(HttpRequestError.InvalidResponse, $"Malformed response header line: '{Encoding.Latin1.GetString(line[..Math.Min(line.Length, 80)])}'.");
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            // obs-fold (RFC 9112 5.2): lines that start with a space or tab continue this header's value; a recipient
            // replaces each fold with one space before interpreting it.
            byte[]? folded = null;
            while (rest.Length > 0 && rest[0] is (byte)' ' or (byte)'\t')
            {
                var next = rest.IndexOf("\r\n"u8);
                var piece = rest[..next].Trim(" \t"u8);
                rest = rest[(next + 2)..];
                folded = [.. folded ?? value.ToArray(), (byte)' ', .. piece];
            }

            if (folded is not null)
                value = folded;
            var known = KnownHeaders.Find(name);
            switch (known)
            {
                case KnownHeaders.ContentLength:
                    if (!Utf8Parser.TryParse(value, out contentLength, out consumed) || consumed != value.Length || contentLength < 0)
                        throw new HttpRequestException(HttpRequestError.InvalidResponse, "The response's Content-Length is not a number.");
                    continue; // the content reports its own length
                case KnownHeaders.TransferEncoding:
                    // The last coding decides (RFC 9112 6.1); coding names are case-insensitive.
                    chunked = Ascii.EqualsIgnoreCase(value[(value.LastIndexOf((byte)',') + 1)..].Trim(" \t"u8), "chunked"u8);
                    break;
                case KnownHeaders.Connection:
                    if (ContainsToken(value, "close"u8))
                        keepAlive = false;
                    else if (ContainsToken(value, "keep-alive"u8))
                        keepAlive = true;
                    break;
            }

            var nameText = known >= 0 ? KnownHeaders.Names[known] : Encoding.Latin1.GetString(name);
            var valueText = ValueText(known, value);
            if (!response.Headers.TryAddWithoutValidation(nameText, valueText))
                response.Content.Headers.TryAddWithoutValidation(nameText, valueText);
        }

        KeepAlive = keepAlive;
        if (request.Method == HttpMethod.Head || status is 204 or 304 or (>= 100 and < 200))
            bodyKind = BodyKind.None;
        else if (chunked)
            bodyKind = BodyKind.Chunked;
        else if (contentLength >= 0)
            bodyKind = contentLength == 0 ? BodyKind.None : BodyKind.Length;
        else
            bodyKind = BodyKind.ToClose;
        return response;
    }

    // Header values repeat from one response to the next (Server, Content-Type): the last string per known header
    // is kept and handed out again while the bytes are the same.
    private string ValueText(int known, ReadOnlySpan<byte> value)
    {
        if (known < 0)
            return Encoding.Latin1.GetString(value);
        var cached = _valueCache[known];
        if (cached is not null && cached.Length == value.Length && Ascii.Equals(value, cached))
            return cached;
        return _valueCache[known] = Encoding.Latin1.GetString(value);
    }

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
                return true;
        }

        return false;
    }

    private byte[] TakeBuffered(int length)
    {
        var body = _read.AsSpan(_start, length).ToArray();
        _start += length;
        return body;
    }

    private async ValueTask<byte[]> ReadExactAsync(long length, CancellationToken cancellationToken)
    {
        if (length > Array.MaxLength)
            throw new HttpRequestException(HttpRequestError.InvalidResponse, $"A response body of {length} bytes is too large to buffer.");
        var body = new byte[length];
        var copied = Math.Min((int)length, _end - _start);
        Buffer.BlockCopy(_read, _start, body, 0, copied);
        _start += copied;
        while (copied < body.Length)
        {
            var received = await socket.ReceiveAsync(body.AsMemory(copied), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
                throw new EndOfResponseException();
            copied += received;
        }

        return body;
    }

    private async ValueTask<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        while (true)
        {
            var lineLength = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var size = ChunkSize(_read.AsSpan(_start, lineLength));
            _start += lineLength + 2;
            if (size == 0)
                break;
            body.Write(await ReadExactAsync(size, cancellationToken).ConfigureAwait(false));
            if (await ReadLineAsync(cancellationToken).ConfigureAwait(false) != 0)
                throw new HttpRequestException(HttpRequestError.InvalidResponse, "A chunk of a chunked response does not end with CRLF.");
            _start += 2;
        }

        // Trailers, up to the blank line.
        while (true)
        {
            var trailer = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            _start += trailer + 2;
            if (trailer == 0)
                return body.ToArray();
        }
    }

    private static long ChunkSize(ReadOnlySpan<byte> line)
    {
        var extension = line.IndexOf((byte)';');
        if (extension >= 0)
            line = line[..extension];
        line = line.Trim(" \t"u8);
        if (line.Length == 0 || line.Length > 15 || !Utf8Parser.TryParse(line, out ulong size, out var consumed, 'x') || consumed != line.Length)
            throw new HttpRequestException(HttpRequestError.InvalidResponse, "Malformed chunk size in a chunked response.");
        return (long)size;
    }

    // The length of the next line in the buffer, without its CRLF, not consumed: the caller advances _start.
    private async ValueTask<int> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = _read.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (found >= 0)
                return found;
            if (_end - _start >= MaxHeaderBytes)
                throw new HttpRequestException(HttpRequestError.InvalidResponse, "A line of a chunked response is too long.");
            if (await FillAsync(cancellationToken).ConfigureAwait(false) == 0)
                throw new EndOfResponseException();
        }
    }

    private async ValueTask<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        body.Write(_read, _start, _end - _start);
        _start = _end = 0;
        var buffer = new byte[16 * 1024];
        int received;
        while ((received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false)) > 0)
            body.Write(buffer, 0, received);
        return body.ToArray();
    }

    public void Dispose()
    {
        _disposed = true;
        socket.Dispose();
    }

    private enum BodyKind
    {
        None,
        Length,
        Chunked,
        ToClose,
    }

    private sealed class EndOfResponseException : Exception;
}

/// <summary>
/// The connection ended before any byte of a response. Whether the request may be sent again is Go's rule
/// (<see cref="MayRetry"/>); otherwise it is a failed request.
/// </summary>
internal sealed class ConnectionClosedException(bool reused, bool nothingWritten, Exception? inner)
    : Exception("The server closed the connection before answering.", inner)
{
    /// <summary>
    /// As Go's net/http (k6's client): only on a connection that had carried a response before, and only when not one
    /// byte of the request was written or the request is idempotent and replayable (GET, HEAD, OPTIONS, TRACE, or an
    /// Idempotency-Key header). RFC 9110 9.2.2: a client does not retry a non-idempotent request on its own.
    /// </summary>
    public bool MayRetry(HttpRequestMessage request) => reused && (nothingWritten || IsIdempotent(request));

    private static bool IsIdempotent(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options || request.Method == HttpMethod.Trace
        || request.Headers.Contains("Idempotency-Key") || request.Headers.Contains("X-Idempotency-Key");

    /// <summary>The failure a request that may not be sent again ends with.</summary>
    public HttpRequestException ToRequestException() => InnerException is SocketException socket
        ? new HttpRequestException(HttpRequestError.Unknown, socket.Message, socket)
        : new HttpRequestException(HttpRequestError.ResponseEnded, Message);
}

/// <summary>A response body already read off the wire: nothing to buffer again.</summary>
internal sealed class Http1ResponseContent : HttpContent
{
    public byte[] Body { get; set; } = [];

    /// <summary>Request bytes on the wire for this response (attempts sent again included).</summary>
    public long WireBytesSent { get; set; }

    /// <summary>Response bytes on the wire (status line, headers, body).</summary>
    public long WireBytesReceived { get; set; }

    /// <summary>Times the request was sent again automatically before this response.</summary>
    public int Retries { get; set; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Body).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(Body, cancellationToken).AsTask();

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) => stream.Write(Body);

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new MemoryStream(Body, writable: false));

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new MemoryStream(Body, writable: false);

    protected override bool TryComputeLength(out long length)
    {
        length = Body.Length;
        return true;
    }
}

/// <summary>Response header names that come up in nearly every response, matched without allocating.</summary>
internal static class KnownHeaders
{
    public const int ContentLength = 0;
    public const int TransferEncoding = 1;
    public const int Connection = 2;

    public static readonly string[] Names =
    [
        "Content-Length", "Transfer-Encoding", "Connection", "Content-Type", "Date", "Server", "Keep-Alive", "Cache-Control",
        "Set-Cookie", "Location", "ETag", "Vary", "Content-Encoding", "Last-Modified", "Expires", "Pragma",
        "Access-Control-Allow-Origin", "X-Powered-By", "X-Content-Type-Options", "Strict-Transport-Security",
    ];

    private static readonly byte[][] Bytes = Names.Select(Encoding.ASCII.GetBytes).ToArray();

    public static int Count => Names.Length;

    public static int Find(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < Bytes.Length; i++)
        {
            if (Bytes[i].Length == name.Length && Ascii.EqualsIgnoreCase(name, Bytes[i]))
                return i;
        }

        return -1;
    }
}
