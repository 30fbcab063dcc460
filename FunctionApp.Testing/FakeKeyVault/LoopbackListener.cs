using System.Net;
using System.Net.Sockets;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Accepts TCP connections on a free loopback port and hands each to a callback on its own task, until
/// disposed: what the test proxies share.
/// </summary>
internal sealed class LoopbackListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<TcpClient, Task> _serve;
    private readonly Task _accepting;

    public LoopbackListener(Func<TcpClient, Task> serve)
    {
        _serve = serve;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the listener is disposed, for the connections' own work.</summary>
    public CancellationToken Stopping => _stop.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => _serve(client));
        }
    }
}
