using Garnet;

namespace FunctionApp.Testing.Redis;

/// <summary>
/// Garnet, Microsoft's Redis-protocol server, in this process on a free loopback port with Lua scripting on, as the
/// real shared counter of the tests and benchmarks. <see cref="Stop"/> and <see cref="Start"/> take it down and bring
/// it back on the same port, for outages; disposing it stops it.
/// </summary>
public sealed class GarnetRedisServer : IDisposable
{
    private readonly Lock _lock = new();
    private GarnetServer? _server;

    private GarnetRedisServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of the server, as <c>ApiKeys__Redis__ConnectionString</c> takes it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a server on a free loopback port.</summary>
    public static GarnetRedisServer Started()
    {
        var server = new GarnetRedisServer(ClosedLoopbackPort.Next());
        server.Start();
        return server;
    }

    /// <summary>Starts the server again after <see cref="Stop"/>, empty, on the same port.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_server is not null)
            {
                return;
            }

            // Small memory: the tests keep a few keys, and several servers may run at once on a shared machine.
            _server = new GarnetServer(
                ["--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lua", "true", "-q", "--index", "64k", "--memory", "8m", "--page", "512k"]);
            _server.Start();
        }
    }

    /// <summary>Stops the server: connections are dropped and new ones refused until <see cref="Start"/>.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _server?.Dispose();
            _server = null;
        }
    }

    public void Dispose() => Stop();
}
