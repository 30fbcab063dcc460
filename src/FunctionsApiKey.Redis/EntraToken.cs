using System.Buffers.Text;
using System.Text.Json;

namespace FunctionsApiKey.Redis;

/// <summary>Azure Managed Redis takes the identity's object id as the AUTH user name and its token as the password.</summary>
internal static class EntraToken
{
    /// <summary>The <c>oid</c> claim of a Microsoft Entra access token (a JWT); the token's signature is the server's to check.</summary>
    /// <exception cref="FormatException">The token is not a JWT with an <c>oid</c> claim.</exception>
    public static string ObjectId(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new FormatException("The Microsoft Entra token for Redis is not a JWT.");
        }

        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        return payload.RootElement.TryGetProperty("oid", out var oid) && oid.GetString() is { Length: > 0 } value
            ? value
            : throw new FormatException("The Microsoft Entra token for Redis has no oid claim; Azure Managed Redis needs the identity's object id as the user name.");
    }
}
