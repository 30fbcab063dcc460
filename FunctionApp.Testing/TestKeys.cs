using FunctionsApiKey;
using System.Security.Cryptography;

namespace FunctionApp.Testing;

/// <summary>Keys for tests: random values in the shape of generated keys, and ring entries built from them.</summary>
public static class TestKeys
{
    /// <summary>A fresh random key, 43 URL-safe characters, like <c>openssl rand -base64 32</c> made URL-safe.</summary>
    public static string NewValue() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static ApiKey Create(string name, string value, string[]? scopes = null, DateTimeOffset? notBefore = null, DateTimeOffset? expiresOn = null, bool revoked = false) =>
        ApiKey.FromValue(name, value) with
        {
            Scopes = [.. scopes ?? []],
            NotBefore = notBefore,
            ExpiresOn = expiresOn,
            IsRevoked = revoked,
        };

    internal static ApiKeyHash Hash(string value) => ApiKeyHash.Compute(value);

    /// <summary>Whether the key holds the hash of <paramref name="plaintext"/>.</summary>
    internal static bool HasValue(ApiKey key, string plaintext) => key.Hash.FixedTimeEquals(Hash(plaintext));

    public static string Sha256Text(string value) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(value)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
