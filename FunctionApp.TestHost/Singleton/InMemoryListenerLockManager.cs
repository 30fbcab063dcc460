namespace FunctionApp.TestHost.Singleton;

/// <summary>
/// The locks of a host without <c>AzureWebJobsStorage</c>, as the SDK's <c>InMemoryDistributedLockManager</c>: held in
/// this host's memory, so they keep its own listeners apart and nothing else. Every instance takes every lock, and so
/// runs every timer.
/// </summary>
internal sealed class InMemoryListenerLockManager : IListenerLockManager
{
    private readonly HashSet<string> _held = [];

    public string Describe(string lockId) => $"{lockId} (in memory)";

    public Task<IListenerLock?> TryAcquireAsync(string lockId, TimeSpan period, CancellationToken cancellationToken)
    {
        lock (_held)
        {
            return Task.FromResult<IListenerLock?>(_held.Add(lockId) ? new Held(this, lockId) : null);
        }
    }

    private sealed class Held(InMemoryListenerLockManager owner, string lockId) : IListenerLock
    {
        public Task<LockRenewal> RenewAsync(CancellationToken cancellationToken) => Task.FromResult(LockRenewal.Renewed);

        public Task ReleaseAsync(CancellationToken cancellationToken)
        {
            lock (owner._held)
            {
                owner._held.Remove(lockId);
            }

            return Task.CompletedTask;
        }
    }
}
