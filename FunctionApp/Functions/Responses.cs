using System.Text.Json.Serialization;

namespace FunctionApp.Functions;

/// <summary>The body of <c>GET /</c>: <c>{"Hello":"World"}</c>.</summary>
internal sealed record RootResponse([property: JsonPropertyName("Hello")] string Hello);

/// <summary>The body of <c>GET /secure-endpoint</c>: <c>{"message":"You have access!"}</c>.</summary>
internal sealed record SecureResponse([property: JsonPropertyName("message")] string Message);

/// <summary>The body of <c>GET /whoami</c>: <c>{"name":"…","owner":"…","scopes":[…]}</c>, owner null when the key names none.</summary>
internal sealed record WhoAmIResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes);

[JsonSerializable(typeof(RootResponse))]
[JsonSerializable(typeof(WhoAmIResponse))]
[JsonSerializable(typeof(SecureResponse))]
internal sealed partial class FunctionsJsonContext : JsonSerializerContext;
