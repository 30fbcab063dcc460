using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// Access tokens shaped like the ones Microsoft Entra ID issues to a managed identity (a v1.0 JWT signed RS256), for
/// services that read the claims. Azurite's <c>--oauth basic</c> (its <c>BlobTokenAuthenticator</c> and
/// <c>TableTokenAuthenticator</c>) decodes the token without checking the signature, then requires <c>iat</c>,
/// <c>nbf</c> and <c>exp</c> with now inside [nbf, exp], an <c>iss</c> starting with <c>https://sts.windows.net/</c>
/// (or another cloud's STS), and an <c>aud</c> of <c>https://storage.azure.com</c>, the storage app id, or the
/// account's own endpoint. The signature is real all the same (a key made for this process), so any reader sees a
/// well-formed JWS.
/// </summary>
public static class FakeEntraToken
{
    private static readonly RSA SigningKey = RSA.Create(2048);

    /// <summary>The object id of the fake identity, in <c>oid</c> and <c>sub</c>.</summary>
    public const string ObjectId = "5a0b2c1e-7f3d-4e8a-9b6c-0d1e2f3a4b5c";

    /// <summary>A token for <paramref name="audience"/>, valid from five minutes before <paramref name="now"/> (as Entra ID backdates it) for <paramref name="lifetime"/> after.</summary>
    public static string Create(string audience, DateTimeOffset now, TimeSpan lifetime, string? clientId = null)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = "fake-entra-key" };
        var notBefore = now.AddMinutes(-5).ToUnixTimeSeconds();
        var payload = new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = $"https://sts.windows.net/{FakeKeyVaultServer.Tenant}/",
            ["iat"] = notBefore,
            ["nbf"] = notBefore,
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
            ["appid"] = clientId ?? "3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b",
            ["appidacr"] = "2",
            ["idtyp"] = "app",
            ["oid"] = ObjectId,
            ["sub"] = ObjectId,
            ["tid"] = FakeKeyVaultServer.Tenant,
            ["ver"] = "1.0",
        };
        var signed = Encode(header) + "." + Encode(payload);
        var signature = SigningKey.SignData(System.Text.Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>The claims of a token made by <see cref="Create"/>, for tests that check what was issued.</summary>
    public static JsonObject ReadClaims(string token) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!.AsObject();

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(json));
}
