using System.Net.Sockets;
using System.Text;

namespace FunctionApp.Testing;

/// <summary>
/// Sends bytes exactly as written over a loopback socket and reads the answer until the server closes, so tests
/// can send what HttpClient would refuse or normalise: repeated headers, control characters, truncated requests.
/// </summary>
public static class RawHttp
{
    public static Task<RawResponse?> SendAsync(Uri baseAddress, string request, bool closeAfterSend = false) =>
        SendAsync(baseAddress, Encoding.Latin1.GetBytes(request), closeAfterSend);

    public static async Task<RawResponse?> SendAsync(Uri baseAddress, byte[] request, bool closeAfterSend = false)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync("127.0.0.1", baseAddress.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request, timeout.Token);
        if (closeAfterSend)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A server that resets the connection after answering still answered.
        }

        return RawResponse.Parse(Encoding.Latin1.GetString(received.ToArray()));
    }
}

/// <summary>A response as it came over the wire.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body, string Raw)
{
    public static RawResponse? Parse(string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0)
        {
            return null;
        }

        var lines = raw[..split].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = headers.TryGetValue(line[..colon], out var existing) ? existing + "," + line[(colon + 1)..].Trim() : line[(colon + 1)..].Trim();
        }

        return new RawResponse(status, headers, raw[(split + 4)..], raw);
    }
}
