using System.Security.Cryptography;
using Azure;
using Azure.Security.KeyVault.Secrets;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// One publisher run: read the ring in storage (it carries what an incremental vault load needs, since the next run
/// may be on another instance), load the vault from it, and write a new generation only if something changed,
/// over exactly the version read, so two publishers can never interleave. Either way, a signed heartbeat says when
/// the vault was last checked.
/// </summary>
internal sealed class KeyRingPublisher(
    RingStore store,
    RingVerifier verifier,
    KeyVaultKeyLoader vault,
    SecretClient vaultClient,
    SharedRingOptions options,
    RingScope scope,
    TimeProvider timeProvider,
    SharedRingMetrics metrics,
    ILogger logger)
{
    private const int MaxAttempts = 3;

    public async Task<PublishOutcome> PublishAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var signer = await ReadSigningKeyAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var outcome = await TryPublishAsync(signer, cancellationToken).ConfigureAwait(false);
                if (outcome != PublishOutcome.Conflict)
                {
                    metrics.Publish(outcome == PublishOutcome.Written ? "written" : "unchanged");
                    return outcome;
                }

                logger.RingPublishConflict(attempt);
            }

            metrics.Publish("conflict");
            return PublishOutcome.Conflict;
        }
        catch (ApiKeySourceException ex)
        {
            // The store and the vault reader say every failure, the network's included, this way, naming where it was.
            logger.RingPublishFailed(ex.Message);
            metrics.Publish("failed");
            return PublishOutcome.Failed;
        }
    }

    private async Task<PublishOutcome> TryPublishAsync(ECDsa signer, CancellationToken cancellationToken)
    {
        var read = await store.ReadRingAsync(ifNoneMatch: null, cancellationToken).ConfigureAwait(false);
        RingDocument? previous = null;
        var refusal = read.Status switch
        {
            RingReadStatus.TooLarge => RingRefusal.TooLarge,
            RingReadStatus.Found => RingCodec.TryReadRing(read.Content.Span, verifier, out previous, vault.Properties),
            _ => RingRefusal.None,
        };
        if (refusal == RingRefusal.None && previous is not null && !scope.Covers(previous.Scope))
        {
            refusal = RingRefusal.Foreign;
            previous = null;
        }

        // The generation to write above: that of any ring a configured key signed, even one refused here (another
        // app's, or one of the format before), since instances may hold it.
        var floor = previous?.Generation ?? (read.Status == RingReadStatus.Found && RingCodec.TryReadSignedGeneration(read.Content.Span, verifier, out var signed) ? signed : 0);
        if (refusal != RingRefusal.None)
        {
            // Not trusted as a ring, so not as incremental state either: this run reads every value and replaces it.
            logger.RingRefused(store.Description, RingRefusalNames.Of(refusal));
        }

        var known = previous is null ? [] : VaultEntry.ByName(previous.Entries);
        var entries = (await vault.LoadAsync(known, cancellationToken).ConfigureAwait(false))
            .OrderBy(e => e.SecretName, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var now = timeProvider.GetUtcNow();
        if (previous is not null && previous.HasEntries(entries))
        {
            var beat = new RingHeartbeat(previous.Generation, RingCodec.Digest(read.Content.Span), now);
            await store.WriteHeartbeatAsync(RingCodec.WriteHeartbeat(beat, signer), cancellationToken).ConfigureAwait(false);
            return PublishOutcome.Unchanged;
        }

        // Later than the previous generation even when that one could not be read (a publisher that lost its state
        // must still write a generation no instance has seen), as long as clocks move forward.
        var generation = Math.Max(floor + 1, now.ToUnixTimeMilliseconds());
        var ring = new RingDocument(generation, now, scope, entries);
        var blob = RingCodec.WriteRing(ring, signer, vault.Properties);
        if (!await store.TryWriteRingAsync(blob, read.ETag, cancellationToken).ConfigureAwait(false))
        {
            return PublishOutcome.Conflict;
        }

        await store.WriteHeartbeatAsync(RingCodec.WriteHeartbeat(new RingHeartbeat(generation, RingCodec.Digest(blob), now), signer), cancellationToken).ConfigureAwait(false);
        logger.RingPublished(generation, ring.Keys.Count, store.Description);
        return PublishOutcome.Written;
    }

    private async Task<ECDsa> ReadSigningKeyAsync(CancellationToken cancellationToken)
    {
        KeyVaultSecret secret;
        try
        {
            secret = (await vaultClient.GetSecretAsync(options.RingSigningSecret, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ApiKeySourceException($"the signing secret '{options.RingSigningSecret}' is not in the vault; create it as docs/shared-ring.md shows", ex);
        }
        catch (Exception ex) when (VaultFailure.IsVaultFailure(ex, cancellationToken))
        {
            // The vault out of reach as well as an HTTP error: the run fails as RingPublishFailed, not as an exception
            // that escapes the timer function.
            throw new ApiKeySourceException($"reading the signing secret '{options.RingSigningSecret}': {VaultFailure.Describe(vaultClient.VaultUri, ex)}", ex);
        }

        if (!RingKeys.TryReadPrivateKey(secret.Value ?? string.Empty, out var signer))
        {
            throw new ApiKeySourceException($"the signing secret '{options.RingSigningSecret}' is not a P-256 private key in PKCS#8 PEM");
        }

        if (!verifier.Knows(RingKeys.KeyIdOf(signer)))
        {
            signer.Dispose();
            throw new ApiKeySourceException($"the signing key in '{options.RingSigningSecret}' is not among ApiKeys:RingVerificationKeys, so instances would refuse its rings; add its public key there first");
        }

        return signer;
    }
}

internal enum PublishOutcome
{
    Written,
    Unchanged,
    Conflict,
    Failed,
}
