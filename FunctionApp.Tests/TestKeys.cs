using System.Security.Cryptography;
using FunctionApp.KeyRing;

namespace FunctionApp.Tests;

/// <summary>Keys for tests: random values in the shape of generated keys, and ring entries built from them.</summary>
internal static class TestKeys
{
    /// <summary>A fresh random key, 43 URL-safe characters, like <c>openssl rand -base64 32</c> made URL-safe.</summary>
    public static string NewValue() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static ApiKey Create(string name, string value, string[]? scopes = null, DateTimeOffset? notBefore = null, DateTimeOffset? expiresOn = null, bool revoked = false)
    {
        Assert.True(ApiKeyHash.TryCompute(value, out var hash));
        return new ApiKey
        {
            Name = name,
            Hash = hash,
            Scopes = [.. scopes ?? []],
            NotBefore = notBefore,
            ExpiresOn = expiresOn,
            IsRevoked = revoked,
        };
    }

    public static string Sha256Text(string value) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(value)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
