using System.Text.Json;
using System.Text.Json.Nodes;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// The body of a set (PUT) or update (PATCH) request: <c>value</c>, <c>contentType</c>, <c>attributes</c>
/// (<c>enabled</c>, <c>nbf</c>, <c>exp</c> in Unix seconds) and <c>tags</c>. A member is null when the body left it
/// out, which for an update means "keep what is stored".
/// </summary>
internal sealed record SecretWrite(
    string? Value,
    string? ContentType,
    bool? Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? ExpiresOn,
    IReadOnlyDictionary<string, string>? Tags)
{
    /// <summary>Reads a request body, or says why the service would refuse it (the vault answers that with 400).</summary>
    public static SecretWrite? Parse(string? body, int maxTags, out string? problem)
    {
        problem = null;
        try
        {
            if (JsonNode.Parse(string.IsNullOrEmpty(body) ? "null" : body) is not JsonObject json)
            {
                problem = "The request body must be a JSON object.";
                return null;
            }

            var attributes = json["attributes"];
            if (attributes is not null and not JsonObject)
            {
                problem = "Property attributes has invalid value.";
                return null;
            }

            var tags = json["tags"];
            if (tags is not null and not JsonObject || tags?.AsObject().Count > maxTags)
            {
                // The service's words for more than 15 tags, too.
                problem = "Property has invalid value";
                return null;
            }

            return new SecretWrite(
                json["value"]?.GetValue<string>(),
                json["contentType"]?.GetValue<string>(),
                attributes?["enabled"]?.GetValue<bool>(),
                UnixTime(attributes?["nbf"]),
                UnixTime(attributes?["exp"]),
                (tags as JsonObject)?.ToDictionary(t => t.Key, t => t.Value?.GetValue<string>() ?? string.Empty));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            problem = "The request body is not valid: " + e.Message;
            return null;
        }
    }

    private static DateTimeOffset? UnixTime(JsonNode? seconds) =>
        seconds is null ? null : DateTimeOffset.FromUnixTimeSeconds(seconds.GetValue<long>());
}
