using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace FunctionApp.TestHost.Singleton;

/// <summary>
/// Listener locks as blob leases in <c>AzureWebJobsStorage</c>, as the SDK's <c>BlobLeaseDistributedLockManager</c>
/// keeps them: the blob <c>locks/{lockId}</c> in the container <c>azure-webjobs-hosts</c>, created empty when missing;
/// the lock is a lease on it. A lease held by another instance (409) means the lock is taken.
/// </summary>
internal sealed class BlobLeaseListenerLockManager(BlobContainerClient container) : IListenerLockManager
{
    /// <summary>The host's container for its own state.</summary>
    public const string ContainerName = "azure-webjobs-hosts";

    public string Describe(string lockId) => $"{container.Name}/{BlobName(lockId)}";

    public async Task<IListenerLock?> TryAcquireAsync(string lockId, TimeSpan period, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(BlobName(lockId));
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        try
        {
            await lease.AcquireAsync(period, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await CreateBlobAsync(blob, cancellationToken).ConfigureAwait(false);
            return await TryAcquireAsync(lease, period, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }

        return new BlobListenerLease(lease);
    }

    private static async Task<IListenerLock?> TryAcquireAsync(BlobLeaseClient lease, TimeSpan period, CancellationToken cancellationToken)
    {
        try
        {
            await lease.AcquireAsync(period, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new BlobListenerLease(lease);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }
    }

    private async Task CreateBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another instance created it first (and may hold its lease).
        }
    }

    private static string BlobName(string lockId) => "locks/" + lockId;

    private sealed class BlobListenerLease(BlobLeaseClient lease) : IListenerLock
    {
        /// <summary>How long a host that stops waits to give its lease up before leaving it to expire.</summary>
        private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);

        public async Task<LockRenewal> RenewAsync(CancellationToken cancellationToken)
        {
            try
            {
                await lease.RenewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return LockRenewal.Renewed;
            }
            catch (RequestFailedException ex) when (ex.Status is >= 400 and < 500)
            {
                // The SDK rethrows a client error (the lease was taken or the blob deleted): the lock is gone.
                return LockRenewal.Lost;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A server error, no answer, or the client's retries exhausted (an AggregateException): the lease may
                // still hold, so the caller tries again sooner.
                return LockRenewal.Failed;
            }
        }

        public async Task ReleaseAsync(CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReleaseTimeout);
            try
            {
                await lease.ReleaseAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Storage failed or hangs: the lease expires within its period anyway, as a dead host's does.
            }
        }
    }
}
