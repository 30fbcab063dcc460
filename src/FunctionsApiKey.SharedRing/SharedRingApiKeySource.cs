using Azure;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// An instance's keys from the shared ring: read once at start, then polled every <see cref="SharedRingOptions.RingPollInterval"/>
/// with If-None-Match, so an unchanged ring costs one 304 and no parsing. A ring is accepted only whole, with a valid
/// signature, for this app's vault and secret prefix (<see cref="RingScope"/>), and never at a lower generation than
/// the one in force.
/// </summary>
/// <remarks>
/// The ring is current while its publisher keeps confirming it: by a new generation, or by a heartbeat for the
/// generation in force, which is read only once the ring's last confirmation is half of
/// <see cref="SharedRingOptions.RingStaleAfter"/> old (and every quarter of it until the publisher has confirmed the ring
/// while this instance runs). Past that limit the instance tries to take the stand-in lease beside the ring; the one
/// instance that holds it runs the publisher itself, so the whole fleet follows the ring it writes and the vault sees
/// one publisher's requests, however many instances there are. Meanwhile the others keep the keys in force for at most
/// <see cref="SharedRingOptions.StandInGrace"/> more. Past that (or with no ring, storage unreadable, or a ring the
/// publisher has not confirmed while this instance ran), the instance reads the vault itself every
/// <see cref="ApiKeyOptions.RefreshInterval"/>, starting from what the ring knows, so only changed values are fetched;
/// the ring takes over again once it is confirmed. If the vault fails too, the keys in force stay and age, and
/// <see cref="ApiKeyOptions.MaxKeyRingAge"/> ends their use.
/// <para>
/// Storage may hold a replayed older ring, with its old heartbeat. An instance cannot tell it from the current ring until
/// the publisher confirms a ring after the instance's first load: until then it trusts the ring only for
/// RingStaleAfter past its signed confirmation, and answers 503 past that if the vault fails too. A heartbeat for a
/// newer generation than the blob shows the blob was rolled back: the ring is then no longer current.
/// </para>
/// Not thread-safe: the key ring calls it one load at a time.
/// </remarks>
internal sealed class SharedRingApiKeySource(
    RingStore store,
    RingVerifier verifier,
    KeyVaultKeyLoader vault,
    KeyRingPublisher publisher,
    SharedRingOptions options,
    RingScope scope,
    ApiKeyOptions gate,
    TimeProvider timeProvider,
    SharedRingMetrics metrics,
    ILogger logger) : IApiKeySource
{
    private RingDocument? _ring;
    private string? _ringDigest;
    private ETag? _lastSeen;
    private DateTimeOffset _ringConfirmedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _heartbeatReadAt = DateTimeOffset.MinValue;

    // When the first load ran; a confirmation dated after it was written while this instance ran, which a replay cannot
    // be (_witnessed). Until then the ring may be an old one put back, and is trusted for RingStaleAfter at most.
    private DateTimeOffset? _firstLoadAt;
    private bool _witnessed;

    // A heartbeat named a newer generation than the ring blob: the blob was rolled back, and the ring is outdated.
    private bool _superseded;
    private IReadOnlyDictionary<string, VaultEntry>? _vaultKnown;

    // When the vault was last tried (success or not), which paces the attempts, and when it last answered, which is
    // how old the keys served from it are: a failed attempt must not make them look fresh to MaxKeyRingAge.
    private DateTimeOffset? _vaultTriedAt;
    private DateTimeOffset _vaultConfirmedAt = DateTimeOffset.MinValue;
    private bool _servingVault;
    private bool _loadedOnce;
    private bool _storageTroubleLogged;

    // Whether this load's read of the ring failed: the heartbeat beside it would fail too, after the same deadline.
    private bool _storageFailed;

    // This instance's id for the stand-in lease: the same id renews the lease it holds.
    private readonly string _standInLeaseId = Guid.NewGuid().ToString();
    private DateTimeOffset _standInTriedAt = DateTimeOffset.MinValue;

    public string Name => SharedRingDefaults.KeySource;

    public TimeSpan? PollInterval => options.RingPollInterval;

    public async Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        var ringChanged = await PollRingAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        if (!_storageFailed && _ring is not null && HeartbeatDue(now))
        {
            ringChanged |= await ReadHeartbeatAsync(now, cancellationToken).ConfigureAwait(false);
        }

        _firstLoadAt ??= now;
        if (_ring is not null && !IsCurrent(now) && StandInCovers(now))
        {
            // Paced as a heartbeat read is, so a holder whose runs fail does not run the publisher at every poll.
            if (now - _standInTriedAt >= options.RingStaleAfter / 4)
            {
                _standInTriedAt = now;
                ringChanged |= await StandInAsync(now, cancellationToken).ConfigureAwait(false);
                now = timeProvider.GetUtcNow();
            }

            if (!IsCurrent(now) && StandInCovers(now))
            {
                // Another instance stands in for the publisher, or this one could not: the keys in force stay, as old
                // as their last confirmation, for StandInGrace at most.
                if (!ringChanged && _loadedOnce)
                {
                    return ApiKeyLoadResult.Unchanged(_ringConfirmedAt);
                }

                _loadedOnce = true;
                return ApiKeyLoadResult.Loaded(_ring.Keys, _ringConfirmedAt);
            }
        }

        if (_ring is { } ring && IsCurrent(now))
        {
            if (!ringChanged && !_servingVault && _loadedOnce)
            {
                return ApiKeyLoadResult.Unchanged(_ringConfirmedAt);
            }

            if (_servingVault)
            {
                logger.RingFresh(ring.Generation);
            }

            _servingVault = false;
            _loadedOnce = true;
            return ApiKeyLoadResult.Loaded(ring.Keys, _ringConfirmedAt);
        }

        return await FromVaultAsync(now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether to read the heartbeat on this load. Until keys have loaded, on every attempt: it is how a fresh instance
    /// learns that the blob is not the newest ring, or that a ring too old to serve at start has been confirmed since.
    /// Until the publisher has confirmed the ring while this instance runs, every quarter of RingStaleAfter: then this
    /// instance may wait for a stand-in rather than read the vault. Once the ring's confirmation is half of
    /// RingStaleAfter old, every quarter of it; past RingStaleAfter, on every load, to follow a stand-in within a poll.
    /// </summary>
    private bool HeartbeatDue(DateTimeOffset now)
    {
        if (!_loadedOnce)
        {
            return true;
        }

        var age = now - _ringConfirmedAt;
        var interval = age > options.RingStaleAfter ? TimeSpan.Zero : options.RingStaleAfter / 4;
        return (age > options.RingStaleAfter / 2 || !_witnessed) && now - _heartbeatReadAt >= interval;
    }

    /// <summary>
    /// Whether a stale ring may still be served while an instance stands in for the publisher: only a ring the publisher
    /// confirmed while this instance ran (a replay cannot be one), read from storage on this load, and for StandInGrace
    /// past RingStaleAfter at most. An instance already reading the vault goes on with it until the ring is current.
    /// </summary>
    private bool StandInCovers(DateTimeOffset now) =>
        _witnessed && !_superseded && !_storageFailed && !_servingVault && now - _ringConfirmedAt <= options.RingStaleAfter + options.StandInGrace;

    /// <summary>
    /// Tries to take the stand-in lease; the instance holding it runs the publisher, then reads what it wrote. True when
    /// that brought a new generation. A lease held elsewhere, or a run that fails (the publisher says why), changes nothing.
    /// </summary>
    private async Task<bool> StandInAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool holder;
        try
        {
            holder = await store.TryTakeStandInLeaseAsync(_standInLeaseId, SharedRingOptions.StandInLease, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiKeySourceException ex)
        {
            _storageFailed = true;
            metrics.StandIn("failed");
            Trouble("failed", $"stand-in lease: {ex.Message}");
            return false;
        }

        if (!holder)
        {
            metrics.StandIn("elsewhere");
            return false;
        }

        logger.RingStandIn((now - _ringConfirmedAt).TotalSeconds);
        var outcome = await publisher.PublishAsync(cancellationToken).ConfigureAwait(false);
        if (outcome is not (PublishOutcome.Written or PublishOutcome.Unchanged))
        {
            metrics.StandIn("failed");
            return false;
        }

        metrics.StandIn("published");
        var generation = _ring!.Generation;
        var changed = await PollRingAsync(cancellationToken).ConfigureAwait(false);
        if (!_storageFailed)
        {
            changed |= await ReadHeartbeatAsync(timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return changed || _ring.Generation != generation;
    }

    /// <summary>The ring is missing, stale or unreadable: the vault, read directly but no more often than RefreshInterval.</summary>
    private async Task<ApiKeyLoadResult> FromVaultAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Paced only within this stale spell: a vault read from before the ring last confirmed itself (at start, say)
        // must not hold back the first read once the ring goes stale, or a revocation waits up to RefreshInterval more.
        if (_loadedOnce && _vaultTriedAt is { } last && last >= _ringConfirmedAt && now - last < gate.RefreshInterval)
        {
            return ApiKeyLoadResult.Unchanged(_servingVault ? _vaultConfirmedAt : RingAsOf(now));
        }

        if (_ring is not null && !_servingVault)
        {
            logger.RingStale((now - _ringConfirmedAt).TotalSeconds);
        }

        try
        {
            // Start from what the ring knows, so only values that changed since it was published are fetched.
            var known = _vaultKnown ?? (_ring is null ? null : VaultEntry.ByName(_ring.Entries)) ?? [];
            var entries = await vault.LoadAsync(known, cancellationToken).ConfigureAwait(false);
            _vaultKnown = VaultEntry.ByName(entries);
            _vaultTriedAt = now;
            _vaultConfirmedAt = now;
            _servingVault = true;
            _loadedOnce = true;
            return ApiKeyLoadResult.Loaded(VaultEntry.UsableKeys(entries), now);
        }
        catch (ApiKeySourceException ex)
        {
            logger.VaultFallbackFailed(ex.Message);
            _vaultTriedAt = now;
            if (_loadedOnce)
            {
                return ApiKeyLoadResult.Unchanged(_servingVault ? _vaultConfirmedAt : RingAsOf(now));
            }

            // A ring nobody has confirmed for RingStaleAfter may be an old one put back in storage: not served at start.
            throw new ApiKeySourceException(
                _ring is null
                    ? $"no key ring in {store.Description}, and the vault failed: {ex.Message}"
                    : $"the key ring in {store.Description} is not current (last confirmed {(now - _ringConfirmedAt).TotalSeconds:F0} s ago), and the vault failed: {ex.Message}",
                ex);
        }
    }

    /// <summary>One conditional read of the ring; true when a new generation was accepted.</summary>
    private async Task<bool> PollRingAsync(CancellationToken cancellationToken)
    {
        RingRead read;
        _storageFailed = true;
        try
        {
            read = await store.ReadRingAsync(_lastSeen, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiKeySourceException ex)
        {
            return Trouble("failed", ex.Message);
        }

        _storageFailed = false;
        _storageTroubleLogged = false;
        switch (read.Status)
        {
            case RingReadStatus.NotModified:
                metrics.Poll("unchanged");
                return false;
            case RingReadStatus.NotFound:
                return Trouble("missing", "no ring yet");
        }

        // Seen, accepted or not: an unchanged bad blob is not read (or reported) again on every poll.
        _lastSeen = read.ETag;
        RingDocument? ring = null;
        var refusal = read.Status == RingReadStatus.TooLarge ? RingRefusal.TooLarge : RingCodec.TryReadRing(read.Content.Span, verifier, out ring, vault.Properties);
        if (refusal == RingRefusal.None && !scope.Covers(ring!.Scope))
        {
            refusal = RingRefusal.Foreign;
        }

        if (refusal == RingRefusal.None && _ring is not null && ring!.Generation < _ring.Generation)
        {
            refusal = RingRefusal.Rollback;
        }

        if (refusal != RingRefusal.None)
        {
            logger.RingRefused(store.Description, RingRefusalNames.Of(refusal));
            metrics.Refused(refusal);
            metrics.Poll("refused");
            return false;
        }

        metrics.Poll("changed");
        if (_ring is not null && ring!.Generation == _ring.Generation)
        {
            return false;
        }

        _ring = ring!;
        _ringDigest = RingCodec.Digest(read.Content.Span);
        _superseded = false;
        Confirm(_ring.PublishedAt);
        _heartbeatReadAt = DateTimeOffset.MinValue;
        return true;
    }

    /// <summary>Reads the heartbeat, which may confirm the ring in force; true when it led to a new generation being taken.</summary>
    private async Task<bool> ReadHeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        _heartbeatReadAt = now;
        var generation = _ring!.Generation;
        RingRead read;
        try
        {
            read = await store.ReadHeartbeatAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiKeySourceException ex)
        {
            return Trouble("failed", $"heartbeat: {ex.Message}");
        }

        if (read.Status == RingReadStatus.NotFound)
        {
            return false;
        }

        RingHeartbeat? heartbeat = null;
        var refusal = read.Status == RingReadStatus.TooLarge ? RingRefusal.TooLarge : RingCodec.TryReadHeartbeat(read.Content.Span, verifier, out heartbeat);
        if (refusal != RingRefusal.None)
        {
            logger.RingRefused(store.Description + ".heartbeat", RingRefusalNames.Of(refusal));
            metrics.Refused(refusal);
            return false;
        }

        if (heartbeat!.Generation > _ring!.Generation && !_superseded)
        {
            // The publisher has written a newer ring than the one in force. It may have just been written: read the
            // ring again. If the blob is still older, it was put back, and the ring it holds is no longer current.
            await PollRingAsync(cancellationToken).ConfigureAwait(false);
            if (heartbeat.Generation > _ring.Generation)
            {
                _superseded = true;
                logger.RingRefused(store.Description, RingRefusalNames.Of(RingRefusal.Rollback));
                metrics.Refused(RingRefusal.Rollback);
            }
        }

        // Only a heartbeat for this very ring confirms it: not one of another app's ring, or of another at its generation.
        if (heartbeat.Generation == _ring.Generation && heartbeat.RingDigest == _ringDigest)
        {
            Confirm(heartbeat.CheckedAt);
        }

        return _ring.Generation != generation;
    }

    /// <summary>Whether the ring in force may be served without the vault: confirmed within RingStaleAfter, and not known to be outdated.</summary>
    private bool IsCurrent(DateTimeOffset now) => !_superseded && now - _ringConfirmedAt <= options.RingStaleAfter;

    /// <summary>
    /// How old the ring's keys count as once it is not current and the vault fails. From their last confirmation, so
    /// MaxKeyRingAge ends their use, if the publisher has confirmed the ring while this instance ran. Otherwise the ring
    /// may be a replay, trusted only until RingStaleAfter past its confirmation (until its confirmation, if outdated):
    /// from then on it counts as older than MaxKeyRingAge, and protected functions answer 503 until the vault or the
    /// publisher answers. With MaxKeyRingAge turned off (zero), nothing ends them.
    /// </summary>
    private DateTimeOffset RingAsOf(DateTimeOffset now)
    {
        if (_witnessed || gate.MaxKeyRingAge <= TimeSpan.Zero || IsCurrent(now))
        {
            return _ringConfirmedAt;
        }

        var trustedUntil = _superseded ? _ringConfirmedAt : _ringConfirmedAt + options.RingStaleAfter;
        return trustedUntil - gate.MaxKeyRingAge;
    }

    /// <summary>The publisher's signed word that the ring in force was current at <paramref name="signedAt"/>.</summary>
    private void Confirm(DateTimeOffset signedAt)
    {
        var at = NotAfterNow(signedAt);
        _ringConfirmedAt = Latest(_ringConfirmedAt, at);
        _witnessed |= at > _firstLoadAt;
    }

    private bool Trouble(string result, string error)
    {
        metrics.Poll(result);
        if (!_storageTroubleLogged)
        {
            logger.RingUnreadable(store.Description, error);
            _storageTroubleLogged = true;
        }

        return false;
    }

    /// <summary>
    /// A time the publisher wrote, no later than this instance's clock: a publisher clock ahead of this one (or a ring
    /// dated ahead on purpose) must not make the ring look fresher than now, or it would outlive RingStaleAfter and
    /// MaxKeyRingAge by as much as it is ahead.
    /// </summary>
    private DateTimeOffset NotAfterNow(DateTimeOffset published)
    {
        var now = timeProvider.GetUtcNow();
        return published < now ? published : now;
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
