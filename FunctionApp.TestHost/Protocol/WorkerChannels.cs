using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace FunctionApp.TestHost.Protocol;

/// <summary>
/// The channels of the workers this host started, by the worker id each process was started with
/// (<c>--functions-worker-id</c>), so a connecting worker is handed its own channel: a worker restarted after a
/// function timeout never shares a stream with the one it replaces.
/// </summary>
internal sealed class WorkerChannels
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _channels = new(StringComparer.Ordinal);

    public void Add(string workerId, WorkerChannel channel) => _channels[workerId] = channel;

    public void Remove(string workerId) => _channels.TryRemove(workerId, out _);

    public bool TryGet(string workerId, [NotNullWhen(true)] out WorkerChannel? channel) => _channels.TryGetValue(workerId, out channel);
}
