using System.Net;
using System.Net.Sockets;

namespace FunctionApp.Testing;

/// <summary>A loopback port nothing listens on, so a connection to it is refused at once: a service that is down.</summary>
public static class ClosedLoopbackPort
{
    /// <summary>A port the system just handed out and took back; nothing else asks for one in so short a time in practice.</summary>
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
