using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// A loopback TCP proxy to one loopback port (e.g. Azurite's blob endpoint) that can be switched, at any time, to fail
/// as a sick service does: stop answering, stop in the middle of an answer, or reset connections. It forwards bytes
/// untouched, so TLS runs end to end and the client checks the real server's certificate.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private readonly LoopbackListener _listener;
    private readonly int _targetPort;
    private volatile ProxyFault _fault;
    private int _accepted;
    private int _resets;

    public FaultProxy(int targetPort, ProxyFault fault = ProxyFault.None)
    {
        _targetPort = targetPort;
        _fault = fault;
        _listener = new LoopbackListener(client =>
        {
            Interlocked.Increment(ref _accepted);
            return ServeAsync(new Connection(client));
        });
    }

    public int Port => _listener.Port;

    /// <summary>Connections accepted so far, whatever became of them.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections reset by <see cref="ProxyFault.Reset"/>.</summary>
    public int Resets => Volatile.Read(ref _resets);

    /// <summary>
    /// The fault from now on, for new connections and for those already open (which a client may keep pooled):
    /// <see cref="ProxyFault.Reset"/> resets every open connection at once.
    /// </summary>
    public ProxyFault Fault
    {
        get => _fault;
        set
        {
            _fault = value;
            if (value == ProxyFault.Reset)
            {
                foreach (var connection in _connections.Keys)
                {
                    Reset(connection);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }
    }

    private async Task ServeAsync(Connection connection)
    {
        _connections[connection] = 0;
        try
        {
            if (_fault == ProxyFault.Reset)
            {
                Reset(connection);
                return;
            }

            if (_fault == ProxyFault.Hang)
            {
                // Hung from the start: the client's bytes are read and dropped, and nothing ever comes back.
                connection.Broken = true;
            }
            else
            {
                await connection.Upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _listener.Stopping);
            }

            using var done = CancellationTokenSource.CreateLinkedTokenSource(_listener.Stopping);
            var up = PumpAsync(connection, connection.Client, connection.Upstream, toClient: false, done.Token);
            var down = connection.Broken ? Task.Delay(Timeout.Infinite, done.Token) : PumpAsync(connection, connection.Upstream, connection.Client, toClient: true, done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
            await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
        }
    }

    private async Task PumpAsync(Connection connection, TcpClient from, TcpClient to, bool toClient, CancellationToken cancellationToken)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await from.GetStream().ReadAsync(buffer, cancellationToken)) > 0)
            {
                switch (_fault)
                {
                    case ProxyFault.Reset:
                        Reset(connection);
                        return;
                    case ProxyFault.Hang:
                        connection.Broken = true;
                        break;
                    case ProxyFault.StallMidResponse when toClient && !connection.Broken:
                        // Part of the answer goes out, then nothing more: the client has started reading and waits.
                        connection.Broken = true;
                        await to.GetStream().WriteAsync(buffer.AsMemory(0, Math.Max(1, read / 2)), cancellationToken);
                        continue;
                }

                if (!connection.Broken)
                {
                    await to.GetStream().WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>An RST, not a FIN: a linger time of zero makes closing the socket abort the connection.</summary>
    private void Reset(Connection connection)
    {
        Interlocked.Increment(ref _resets);
        try
        {
            connection.Client.Client.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        connection.Dispose();
    }

    private sealed class Connection(TcpClient client) : IDisposable
    {
        public TcpClient Client { get; } = client;

        public TcpClient Upstream { get; } = new();

        private volatile bool _broken;

        /// <summary>Once a byte has been dropped, nothing more is forwarded: the stream could not make sense again.</summary>
        public bool Broken
        {
            get => _broken;
            set => _broken = value;
        }

        public void Dispose()
        {
            Client.Dispose();
            Upstream.Dispose();
        }
    }
}

/// <summary>How a <see cref="FaultProxy"/> fails.</summary>
public enum ProxyFault
{
    /// <summary>Forwards everything.</summary>
    None,

    /// <summary>Accepts and reads, but never answers: no byte reaches the client any more.</summary>
    Hang,

    /// <summary>Forwards part of the next answer on each connection, then nothing more.</summary>
    StallMidResponse,

    /// <summary>Resets open connections, and each new one as soon as it is accepted.</summary>
    Reset,
}
