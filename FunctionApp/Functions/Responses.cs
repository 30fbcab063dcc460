using System.Text.Json.Serialization;

namespace FunctionApp.Functions;

/// <summary>The body of <c>GET /</c>: <c>{"Hello":"World"}</c>.</summary>
internal sealed record RootResponse([property: JsonPropertyName("Hello")] string Hello);

/// <summary>The body of <c>GET /secure-endpoint</c>: <c>{"message":"You have access!"}</c>.</summary>
internal sealed record SecureResponse([property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(RootResponse))]
[JsonSerializable(typeof(SecureResponse))]
internal sealed partial class FunctionsJsonContext : JsonSerializerContext;
