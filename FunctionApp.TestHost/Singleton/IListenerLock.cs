namespace FunctionApp.TestHost.Singleton;

/// <summary>A listener lock this host holds until it expires, is released, or is lost.</summary>
internal interface IListenerLock
{
    /// <summary>Extends the lock by its period.</summary>
    Task<LockRenewal> RenewAsync(CancellationToken cancellationToken);

    /// <summary>Gives the lock up so another instance can take it at once; failures are ignored (it expires anyway).</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}
