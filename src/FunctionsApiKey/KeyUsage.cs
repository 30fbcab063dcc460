namespace FunctionsApiKey;

/// <summary>
/// One key's requests in one UTC hour as one instance counted them: totals so far, not increments, so writing the same
/// totals twice changes nothing.
/// </summary>
/// <param name="KeyName">The key's name.</param>
/// <param name="Hour">The start of the hour (UTC).</param>
/// <param name="Allowed">Requests the key was allowed.</param>
/// <param name="Denied">Requests that presented the key and were refused: revoked, expired, not yet valid, scope or address.</param>
/// <param name="OverLimit">Requests refused with 429 by the key's rate limit or quota.</param>
public readonly record struct KeyUsage(string KeyName, DateTimeOffset Hour, long Allowed, long Denied, long OverLimit);
