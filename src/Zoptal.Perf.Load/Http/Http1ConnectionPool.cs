using System.Net;
using System.Net.Sockets;

namespace Zoptal.Perf.Load.Http;

/// <summary>
/// Keep-alive connections to one host and port, at most <c>max</c> open at once. A request takes the most recently
/// used idle connection, or opens one while under the cap, or waits for one to be returned (first come, first served).
/// </summary>
internal sealed class Http1ConnectionPool(string host, int port, int max, TimeSpan connectTimeout) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stack<Http1Connection> _idle = new();
    private readonly Queue<TaskCompletionSource<Http1Connection?>> _waiters = new();
    private int _open;
    private bool _disposed;

    /// <summary>Called with the host and port before each connection is opened (tests and diagnostics).</summary>
    public Action<string, int>? ConnectObserver { get; init; }

    /// <summary>The Host header's value for requests that do not set one.</summary>
    public string HostHeader { get; } = port == 80 ? host : $"{host}:{port}";

    public int Open
    {
        get
        {
            lock (_lock)
                return _open;
        }
    }

    // An idle connection is polled for an end of stream or stray bytes before it carries a request once it has been
    // idle this long: servers close idle connections after seconds (Node after 5 s), and under full load, when
    // connections are reused within microseconds, the poll's system call would cost throughput for nothing.
    private static readonly long CheckAfterIdle = System.Diagnostics.Stopwatch.Frequency / 1000;

    public async ValueTask<Http1Connection> RentAsync(CancellationToken cancellationToken)
    {
        while (TryTakeIdle() is { } idle)
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() - idle.IdleSince < CheckAfterIdle || idle.IsUsable())
                return idle;
            Discard(idle);
        }

        TaskCompletionSource<Http1Connection?> waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
                return idle;
            if (_open < max)
            {
                _open++;
                waiter = null!;
            }
            else
            {
                waiter = new TaskCompletionSource<Http1Connection?>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
        }

        if (waiter is not null)
        {
            Http1Connection? handed;
            using (cancellationToken.UnsafeRegister(static w => ((TaskCompletionSource<Http1Connection?>)w!).TrySetCanceled(), waiter))
                handed = await waiter.Task.ConfigureAwait(false);
            if (handed is not null)
                return handed;
            // Handed the right to open a connection (one was discarded).
        }

        try
        {
            return await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Release();
            throw;
        }
    }

    private Http1Connection? TryTakeIdle()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _idle.TryPop(out var idle) ? idle : null;
        }
    }

    /// <summary>A connection that can carry the next request goes back to the pool or to the first waiter.</summary>
    public void Return(Http1Connection connection)
    {
        connection.IdleSince = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (!_disposed)
            {
                while (_waiters.TryDequeue(out var waiter))
                {
                    if (waiter.TrySetResult(connection))
                        return;
                }

                _idle.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    /// <summary>A connection that cannot be reused is closed; its place goes to a waiter or becomes free.</summary>
    public void Discard(Http1Connection connection)
    {
        connection.Dispose();
        Release();
    }

    private void Release()
    {
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(null))
                    return;
            }

            _open--;
        }
    }

    private async ValueTask<Http1Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        ConnectObserver?.Invoke(host, port);
        EndPoint endPoint = IPAddress.TryParse(host.Trim('[', ']'), out var address) ? new IPEndPoint(address, port) : new DnsEndPoint(host, port);
        var socket = address is null ? new Socket(SocketType.Stream, ProtocolType.Tcp) : new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(connectTimeout);
        try
        {
            await socket.ConnectAsync(endPoint, limit.Token).ConfigureAwait(false);
            return new Http1Connection(socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connecting to {HostHeader} took longer than {connectTimeout.TotalSeconds:0.###} s.",
                new SocketException((int)SocketError.TimedOut));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{e.Message} ({HostHeader})", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            while (_idle.TryPop(out var connection))
                connection.Dispose();
            while (_waiters.TryDequeue(out var waiter))
                waiter.TrySetException(new ObjectDisposedException(nameof(Http1ConnectionPool)));
        }
    }
}
