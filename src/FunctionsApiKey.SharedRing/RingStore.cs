using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The ring's two blobs: the ring, written only when it changes and only over the version the writer read
/// (If-Match, or If-None-Match: * for the first), and its heartbeat, overwritten on every publisher run. Instances read
/// the ring with If-None-Match, so an unchanged ring costs one 304 and no bytes.
/// </summary>
internal sealed class RingStore(BlobContainerClient container, string blobName)
{
    private readonly BlobClient _ring = container.GetBlobClient(blobName);
    private readonly BlobClient _heartbeat = container.GetBlobClient(blobName + ".heartbeat");

    /// <summary>The ring blob's place, for log lines.</summary>
    public string Description { get; } = $"{container.Name}/{blobName}";

    /// <summary>Reads the ring; with <paramref name="ifNoneMatch"/>, answers <see cref="RingReadStatus.NotModified"/> while it has not changed.</summary>
    public async Task<RingRead> ReadRingAsync(ETag? ifNoneMatch, CancellationToken cancellationToken)
    {
        try
        {
            var options = new BlobDownloadOptions { Conditions = ifNoneMatch is { } etag ? new BlobRequestConditions { IfNoneMatch = etag } : null };
            var response = await _ring.DownloadContentAsync(options, cancellationToken).ConfigureAwait(false);
            return response.GetRawResponse().Status == 304
                ? new RingRead(RingReadStatus.NotModified, default, ifNoneMatch)
                : new RingRead(RingReadStatus.Found, response.Value.Content.ToMemory(), response.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 304)
        {
            return new RingRead(RingReadStatus.NotModified, default, ifNoneMatch);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new RingRead(RingReadStatus.NotFound, default, null);
        }
    }

    /// <summary>The heartbeat's bytes, or null when there is none.</summary>
    public async Task<ReadOnlyMemory<byte>?> ReadHeartbeatAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _heartbeat.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToMemory();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the ring over the version read (<paramref name="readETag"/>), or as the first one when there was none.
    /// False when another writer came first.
    /// </summary>
    public async Task<bool> TryWriteRingAsync(byte[] ring, ETag? readETag, CancellationToken cancellationToken)
    {
        var conditions = readETag is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        try
        {
            await UploadAsync(_ring, ring, conditions, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    public Task WriteHeartbeatAsync(byte[] heartbeat, CancellationToken cancellationToken) =>
        UploadAsync(_heartbeat, heartbeat, conditions: null, cancellationToken);

    private async Task UploadAsync(BlobClient blob, byte[] content, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" } };
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // The deployment creates the container; without one (Azurite, a fresh account) the publisher makes it.
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellationToken).ConfigureAwait(false);
        }
    }
}

internal enum RingReadStatus
{
    Found,
    NotModified,
    NotFound,
}

/// <summary>One read of the ring blob.</summary>
internal readonly record struct RingRead(RingReadStatus Status, ReadOnlyMemory<byte> Content, ETag? ETag);
