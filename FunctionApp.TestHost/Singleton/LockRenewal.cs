namespace FunctionApp.TestHost.Singleton;

/// <summary>How a renewal ended, as the SDK's renewal tells a passing storage fault from a lost lease.</summary>
internal enum LockRenewal
{
    /// <summary>Renewed for another period.</summary>
    Renewed,

    /// <summary>Storage failed (a server error, no answer): the lock may still be held, so the renewal is tried again sooner.</summary>
    Failed,

    /// <summary>Storage refused it (another holder, or the blob is gone): the lock is lost.</summary>
    Lost,
}
