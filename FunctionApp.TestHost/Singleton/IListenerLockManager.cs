namespace FunctionApp.TestHost.Singleton;

/// <summary>
/// Where the host's listener locks live, as the WebJobs SDK's <c>IDistributedLockManager</c>: blob leases in
/// <c>AzureWebJobsStorage</c>, or, without storage, this host's memory.
/// </summary>
internal interface IListenerLockManager
{
    /// <summary>Where the lock is, for the log, e.g. <c>azure-webjobs-hosts/locks/{hostId}/Host.Functions.X.Listener</c>.</summary>
    string Describe(string lockId);

    /// <summary>Takes the lock for <paramref name="period"/>; null when another holder has it.</summary>
    /// <exception cref="Exception">Storage failed: the caller tries again later.</exception>
    Task<IListenerLock?> TryAcquireAsync(string lockId, TimeSpan period, CancellationToken cancellationToken);
}
