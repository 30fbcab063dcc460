using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// A loopback HTTP CONNECT proxy that tunnels one host name (e.g. <c>myvault.vault.azure.net:443</c>) to a loopback
/// port and refuses everything else. With <c>HTTPS_PROXY</c> pointing here, an unchanged app reaches the fake
/// vault under the vault's real host name.
/// </summary>
public sealed class ConnectProxy : IAsyncDisposable
{
    private readonly LoopbackListener _listener;
    private readonly string _authority;
    private readonly int _targetPort;
    private int _tunnels;
    private int _refused;

    public ConnectProxy(string authority, int targetPort)
    {
        _authority = authority;
        _targetPort = targetPort;
        _listener = new LoopbackListener(TunnelAsync);
    }

    public Uri Address => new($"http://127.0.0.1:{_listener.Port}");

    public int Tunnels => Volatile.Read(ref _tunnels);

    public int Refused => Volatile.Read(ref _refused);

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var request = await ReadHeadAsync(stream);
            var requestLine = request?.Split("\r\n")[0].Split(' ');
            if (requestLine is not ["CONNECT", var authority, _] || !authority.Equals(_authority, StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _refused);
                await stream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                return;
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort);
            Interlocked.Increment(ref _tunnels);
            await stream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray());
            var target = upstream.GetStream();
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_listener.Stopping);
            var up = Pump(stream, target, done.Token);
            var down = Pump(target, stream, done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
        }
    }

    private static async Task Pump(Stream from, Stream to, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads up to the blank line that ends the CONNECT request, byte by byte so no tunnel data is consumed.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (head.Length < 8192)
        {
            if (await stream.ReadAsync(buffer) == 0)
            {
                return null;
            }

            head.Append((char)buffer[0]);
            if (head.Length >= 4 && head[^1] == '\n' && head.ToString(head.Length - 4, 4) == "\r\n\r\n")
            {
                return head.ToString();
            }
        }

        return null;
    }
}
