namespace FunctionsApiKey.SharedRing;

/// <summary>Why a ring (or heartbeat) read from storage was not accepted. Each is a tag on a log line and a metric.</summary>
internal enum RingRefusal
{
    None,
    Empty,
    Truncated,
    NotARing,
    UnknownVersion,
    UnknownSigningKey,
    BadSignature,
    MalformedEntry,
    Rollback,
    TooLarge,

    /// <summary>Validly signed, but for another vault or secret prefix: another app's ring.</summary>
    Foreign,
}

internal static class RingRefusalNames
{
    public static string Of(RingRefusal refusal) => refusal switch
    {
        RingRefusal.Empty => "empty",
        RingRefusal.Truncated => "truncated",
        RingRefusal.NotARing => "not_a_ring",
        RingRefusal.UnknownVersion => "unknown_version",
        RingRefusal.UnknownSigningKey => "unknown_signing_key",
        RingRefusal.BadSignature => "bad_signature",
        RingRefusal.MalformedEntry => "malformed_entry",
        RingRefusal.Rollback => "rollback",
        RingRefusal.TooLarge => "too_large",
        RingRefusal.Foreign => "foreign",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };
}
