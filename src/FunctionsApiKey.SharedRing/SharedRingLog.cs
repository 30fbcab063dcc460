using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.SharedRing;

/// <summary>
/// Log lines of the shared ring, in the category <see cref="SharedRingDefaults.LogCategory"/> with event ids 40–59. No
/// key, hash or signing key material is ever a parameter here.
/// </summary>
internal static partial class SharedRingLog
{
    [LoggerMessage(EventId = 40, EventName = "RingRefused", Level = LogLevel.Warning,
        Message = "Refused the key ring in {Blob}: {Reason}; keeping the keys in force")]
    public static partial void RingRefused(this ILogger logger, string blob, string reason);

    [LoggerMessage(EventId = 41, EventName = "RingStale", Level = LogLevel.Warning,
        Message = "The key ring was last confirmed by its publisher {AgeSeconds:F0} s ago; reading the vault directly until the publisher is back")]
    public static partial void RingStale(this ILogger logger, double ageSeconds);

    [LoggerMessage(EventId = 42, EventName = "RingFresh", Level = LogLevel.Information,
        Message = "Following the key ring again (generation {Generation})")]
    public static partial void RingFresh(this ILogger logger, long generation);

    [LoggerMessage(EventId = 43, EventName = "RingUnreadable", Level = LogLevel.Warning,
        Message = "Reading the key ring from {Blob} failed ({Error})")]
    public static partial void RingUnreadable(this ILogger logger, string blob, string error);

    [LoggerMessage(EventId = 44, EventName = "VaultFallbackFailed", Level = LogLevel.Warning,
        Message = "Reading the vault while the key ring is stale failed ({Error}); keeping the keys in force")]
    public static partial void VaultFallbackFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 45, EventName = "RingStandIn", Level = LogLevel.Warning,
        Message = "The key ring was last confirmed by its publisher {AgeSeconds:F0} s ago; this instance holds the stand-in lease and runs the publisher")]
    public static partial void RingStandIn(this ILogger logger, double ageSeconds);

    [LoggerMessage(EventId = 50, EventName = "RingPublished", Level = LogLevel.Information,
        Message = "Published key ring generation {Generation} with {KeyCount} keys to {Blob}")]
    public static partial void RingPublished(this ILogger logger, long generation, int keyCount, string blob);

    [LoggerMessage(EventId = 51, EventName = "RingPublishConflict", Level = LogLevel.Information,
        Message = "Another publisher wrote the key ring first; reading it again (attempt {Attempt})")]
    public static partial void RingPublishConflict(this ILogger logger, int attempt);

    [LoggerMessage(EventId = 52, EventName = "RingPublishFailed", Level = LogLevel.Warning,
        Message = "Publishing the key ring failed ({Error}); the ring in storage stays as it was, and the next run tries again")]
    public static partial void RingPublishFailed(this ILogger logger, string error);

    [LoggerMessage(EventId = 53, EventName = "RingPublishSkipped", Level = LogLevel.Debug,
        Message = "PublishKeyRing has nothing to do: keys come from {KeySource}, not the shared ring")]
    public static partial void RingPublishSkipped(this ILogger logger, string keySource);
}
