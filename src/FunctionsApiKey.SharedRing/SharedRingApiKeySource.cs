using Azure;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// An instance's keys from the shared ring: read once at start, then polled every <see cref="SharedRingOptions.RingPollInterval"/>
/// with If-None-Match, so an unchanged ring costs one 304 and no parsing. A ring is accepted only whole, with a valid
/// signature, and never at a lower generation than the one in force.
/// </summary>
/// <remarks>
/// The ring is current while its publisher keeps confirming it: by a new generation, or by a heartbeat for the
/// generation in force, which is read only once the ring's last confirmation is half of
/// <see cref="SharedRingOptions.RingStaleAfter"/> old. Past that limit (or with no ring, or storage unreadable), the
/// instance reads the vault itself every <see cref="ApiKeyOptions.RefreshInterval"/>, starting from what the ring
/// knows, so only changed values are fetched; the ring takes over again once its publisher is back. If the vault
/// fails too, the keys in force stay and age, and <see cref="ApiKeyOptions.MaxKeyRingAge"/> ends their use.
/// Not thread-safe: the key ring calls it one load at a time.
/// </remarks>
internal sealed class SharedRingApiKeySource(
    RingStore store,
    RingVerifier verifier,
    KeyVaultKeyLoader vault,
    SharedRingOptions options,
    TimeSpan vaultInterval,
    TimeProvider timeProvider,
    SharedRingMetrics metrics,
    ILogger logger) : IApiKeySource
{
    private RingDocument? _ring;
    private ETag? _lastSeen;
    private DateTimeOffset _ringConfirmedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _heartbeatReadAt = DateTimeOffset.MinValue;
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

    public string Name => SharedRingDefaults.KeySource;

    public TimeSpan? PollInterval => options.RingPollInterval;

    public async Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        var ringChanged = await PollRingAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        if (!_storageFailed && _ring is not null && now - _ringConfirmedAt > options.RingStaleAfter / 2 && now - _heartbeatReadAt >= options.RingStaleAfter / 4)
        {
            await ReadHeartbeatAsync(now, cancellationToken).ConfigureAwait(false);
        }

        if (_ring is { } ring && now - _ringConfirmedAt <= options.RingStaleAfter)
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

    /// <summary>The ring is missing, stale or unreadable: the vault, read directly but no more often than RefreshInterval.</summary>
    private async Task<ApiKeyLoadResult> FromVaultAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Paced only within this stale spell: a vault read from before the ring last confirmed itself (at start, say)
        // must not hold back the first read once the ring goes stale, or a revocation waits up to RefreshInterval more.
        if (_loadedOnce && _vaultTriedAt is { } last && last >= _ringConfirmedAt && now - last < vaultInterval)
        {
            return ApiKeyLoadResult.Unchanged(_servingVault ? _vaultConfirmedAt : _ringConfirmedAt);
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
                return ApiKeyLoadResult.Unchanged(_servingVault ? _vaultConfirmedAt : _ringConfirmedAt);
            }

            if (_ring is { } stale)
            {
                // A ring older than it should be is still the best there is; its age tells MaxKeyRingAge when to stop.
                _loadedOnce = true;
                return ApiKeyLoadResult.Loaded(stale.Keys, _ringConfirmedAt);
            }

            throw new ApiKeySourceException($"no key ring in {store.Description}, and the vault failed: {ex.Message}", ex);
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
        var refusal = read.Status == RingReadStatus.TooLarge ? RingRefusal.TooLarge : RingCodec.TryReadRing(read.Content.Span, verifier, out ring);
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
        _ringConfirmedAt = Latest(_ringConfirmedAt, NotAfterNow(_ring.PublishedAt));
        _heartbeatReadAt = DateTimeOffset.MinValue;
        return true;
    }

    private async Task ReadHeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        _heartbeatReadAt = now;
        RingRead read;
        try
        {
            read = await store.ReadHeartbeatAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiKeySourceException ex)
        {
            Trouble("failed", $"heartbeat: {ex.Message}");
            return;
        }

        if (read.Status == RingReadStatus.NotFound)
        {
            return;
        }

        RingHeartbeat? heartbeat = null;
        var refusal = read.Status == RingReadStatus.TooLarge ? RingRefusal.TooLarge : RingCodec.TryReadHeartbeat(read.Content.Span, verifier, out heartbeat);
        if (refusal != RingRefusal.None)
        {
            logger.RingRefused(store.Description + ".heartbeat", RingRefusalNames.Of(refusal));
            metrics.Refused(refusal);
            return;
        }

        if (heartbeat!.Generation == _ring!.Generation)
        {
            _ringConfirmedAt = Latest(_ringConfirmedAt, NotAfterNow(heartbeat.CheckedAt));
        }
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
