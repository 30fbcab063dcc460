using System.Text.Json.Serialization;

namespace FunctionsApiKey.Middleware;

/// <summary>The RFC 9457 members the gate uses.</summary>
internal sealed record ProblemDetails(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail);

[JsonSerializable(typeof(ProblemDetails))]
internal sealed partial class ProblemDetailsJsonContext : JsonSerializerContext;
