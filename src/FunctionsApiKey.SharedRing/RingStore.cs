using Azure.Core;
using System.Net.Sockets;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Configuration;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// The ring's two blobs: the ring, written only when it changes and only over the version the writer read
/// (If-Match, or If-None-Match: * for the first), and its heartbeat, overwritten on every publisher run. Instances read
/// the ring with If-None-Match, so an unchanged ring costs one 304 and no bytes. A third, empty blob beside them,
/// <c>&lt;name&gt;.standin</c>, carries only a lease: the instance that holds it stands in for a publisher gone quiet.
/// </summary>
/// <remarks>
/// Each read or write, retries included, ends within <paramref name="timeout"/>: storage that stops answering, stalls in
/// the middle of an answer or resets connections costs a caller that long at most, never the SDK's tries of 100 s each.
/// Every way a call can fail, other than the app stopping, comes out as one <see cref="ApiKeySourceException"/> whose
/// message starts with "storage" and the blob's place (account/container/blob), so no network exception type reaches a
/// caller, and every log line that carries the message, the publisher's included, says which storage failed. The
/// deadline is wall-clock time, not the injected clock: it bounds a real connection.
/// </remarks>
internal sealed class RingStore(BlobContainerClient container, string blobName, TimeSpan timeout)
{
    private readonly BlobClient _ring = container.GetBlobClient(blobName);
    private readonly BlobClient _heartbeat = container.GetBlobClient(blobName + ".heartbeat");
    private readonly BlobClient _standIn = container.GetBlobClient(blobName + ".standin");

    /// <summary>
    /// The blob service of the ring's connection (<see cref="SharedRingOptions.RingConnection"/>, read as the host reads
    /// connections): by connection string, or by <paramref name="credential"/> for an identity-based one.
    /// </summary>
    public static BlobServiceClient CreateServiceClient(IConfigurationSection connection, TokenCredential credential, BlobClientOptions options) =>
        StorageConnection.CreateClient(connection, "blob", "ApiKeys:RingConnection", text => new BlobServiceClient(text, options), uri => new BlobServiceClient(uri, credential, options));

    /// <summary>The ring blob's place, for log lines.</summary>
    public string Description { get; } = $"{container.Name}/{blobName}";

    /// <summary>Where a failed call went, for its message: the account as well, which the app's connection setting chose.</summary>
    private string FailurePlace(BlobClient blob) => $"storage {container.AccountName}/{container.Name}/{blob.Name}";

    /// <summary>
    /// Reads the ring; with <paramref name="ifNoneMatch"/>, answers <see cref="RingReadStatus.NotModified"/> while it has
    /// not changed. A blob over <see cref="RingCodec.MaxRingSize"/> is <see cref="RingReadStatus.TooLarge"/>, found
    /// from its length before its body is read.
    /// </summary>
    public Task<RingRead> ReadRingAsync(ETag? ifNoneMatch, CancellationToken cancellationToken) =>
        WithinDeadlineAsync(_ring, token => ReadRingOnceAsync(ifNoneMatch, token), cancellationToken);

    private async Task<RingRead> ReadRingOnceAsync(ETag? ifNoneMatch, CancellationToken cancellationToken)
    {
        var conditions = ifNoneMatch is { } etag ? new BlobRequestConditions { IfNoneMatch = etag } : null;
        try
        {
            var response = await _ring.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            if (response.GetRawResponse().Status == 304)
            {
                return new RingRead(RingReadStatus.NotModified, default, ifNoneMatch);
            }

            using var download = response.Value;
            return await ReadBoundedAsync(download, RingCodec.MaxRingSize, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The heartbeat, at most <see cref="RingCodec.HeartbeatSize"/> bytes of it: found, too large, or not found.</summary>
    public Task<RingRead> ReadHeartbeatAsync(CancellationToken cancellationToken) =>
        WithinDeadlineAsync(_heartbeat, ReadHeartbeatOnceAsync, cancellationToken);

    private async Task<RingRead> ReadHeartbeatOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var download = (await _heartbeat.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return await ReadBoundedAsync(download, RingCodec.HeartbeatSize, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new RingRead(RingReadStatus.NotFound, default, null);
        }
    }

    /// <summary>
    /// The blob's body if its length is within <paramref name="limit"/>. The length is checked before a byte is read,
    /// and the read stops one byte past the stated length, so a body longer than it says cannot get past the limit either.
    /// </summary>
    private static async Task<RingRead> ReadBoundedAsync(BlobDownloadStreamingResult download, int limit, CancellationToken cancellationToken)
    {
        var etag = download.Details.ETag;
        var stated = download.Details.ContentLength;
        if (stated > limit)
        {
            return new RingRead(RingReadStatus.TooLarge, default, etag);
        }

        var buffer = new byte[stated + 1];
        var length = 0;
        var body = download.Content;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return length > stated
            ? new RingRead(RingReadStatus.TooLarge, default, etag)
            : new RingRead(RingReadStatus.Found, buffer.AsMemory(0, length), etag);
    }

    /// <summary>
    /// Writes the ring over the version read (<paramref name="readETag"/>), or as the first one when there was none.
    /// False when another writer came first.
    /// </summary>
    public Task<bool> TryWriteRingAsync(byte[] ring, ETag? readETag, CancellationToken cancellationToken)
    {
        var conditions = readETag is { } etag ? new BlobRequestConditions { IfMatch = etag } : new BlobRequestConditions { IfNoneMatch = ETag.All };
        return WithinDeadlineAsync(
            _ring,
            async token =>
            {
                try
                {
                    await UploadAsync(_ring, ring, conditions, token).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    return false;
                }
            },
            cancellationToken);
    }

    public Task WriteHeartbeatAsync(byte[] heartbeat, CancellationToken cancellationToken) =>
        WithinDeadlineAsync(
            _heartbeat,
            async token =>
            {
                await UploadAsync(_heartbeat, heartbeat, conditions: null, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Takes the stand-in lease for <paramref name="duration"/>, or renews it when <paramref name="leaseId"/> already holds
    /// it; false while another instance holds it. The lease blob is created on first use.
    /// </summary>
    public Task<bool> TryTakeStandInLeaseAsync(string leaseId, TimeSpan duration, CancellationToken cancellationToken) =>
        WithinDeadlineAsync(
            _standIn,
            async token =>
            {
                var lease = _standIn.GetBlobLeaseClient(leaseId);
                try
                {
                    await lease.AcquireAsync(duration, cancellationToken: token).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    return false;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    try
                    {
                        await UploadAsync(_standIn, [], new BlobRequestConditions { IfNoneMatch = ETag.All }, token).ConfigureAwait(false);
                    }
                    catch (RequestFailedException exists) when (exists.Status is 409 or 412)
                    {
                        // Another instance made it first: taking the lease decides between us.
                    }
                }

                try
                {
                    await lease.AcquireAsync(duration, cancellationToken: token).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    return false;
                }
            },
            cancellationToken);

    /// <summary>One call to storage under its own deadline; whatever makes it fail, bar the app stopping, is said in one line.</summary>
    private async Task<T> WithinDeadlineAsync<T>(BlobClient blob, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await call(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Not only RequestFailedException: a body read can throw IOException, a socket SocketException (which is not
            // an IOException), retries that ran out AggregateException, and the deadline OperationCanceledException.
            var what = deadline.IsCancellationRequested ? $"no answer within {timeout.TotalSeconds:0.###} s" : Describe(ex);
            throw new ApiKeySourceException($"{FailurePlace(blob)}: {what}", ex);
        }
    }

    private static string Describe(Exception ex)
    {
        if (ex is RequestFailedException { Status: > 0 } failed)
        {
            return $"HTTP {failed.Status} {failed.ErrorCode}".TrimEnd();
        }

        var cause = ex;
        for (Exception? next = ex; next is not null; next = next is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[^1] : next.InnerException)
        {
            if (next is SocketException socket)
            {
                return $"network error {socket.SocketErrorCode}";
            }

            cause = next;
        }

        // The first line only: later lines of the SDK's messages can carry response headers.
        var message = cause.Message;
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }

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

    /// <summary>Longer than the blob may be: refused unread, as <see cref="RingRefusal.TooLarge"/>.</summary>
    TooLarge,
}

/// <summary>One read of the ring blob.</summary>
internal readonly record struct RingRead(RingReadStatus Status, ReadOnlyMemory<byte> Content, ETag? ETag);
