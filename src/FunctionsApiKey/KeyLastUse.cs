namespace FunctionsApiKey;

/// <summary>A key's last use as one instance saw it, to the minute.</summary>
/// <param name="KeyName">The key's name.</param>
/// <param name="LastUsed">The start of the last minute (UTC) in which the key was allowed a request.</param>
public readonly record struct KeyLastUse(string KeyName, DateTimeOffset LastUsed);
