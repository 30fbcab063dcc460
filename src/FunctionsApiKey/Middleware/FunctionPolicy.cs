namespace FunctionsApiKey.Middleware;

/// <summary>What the gate requires of one function, worked out once from its metadata and attributes.</summary>
/// <param name="FunctionName">The function's name, for logs and metrics.</param>
/// <param name="IsHttp">Only HTTP-triggered functions are gated.</param>
/// <param name="AllowAnonymous">Marked with ASP.NET Core's <c>[AllowAnonymous]</c>.</param>
/// <param name="RequiredScope">The scope a scoped key must list to call it.</param>
/// <param name="HttpOutputBindingName">The output property that carries the HTTP response when the function returns a POCO with several outputs; null when the return value is the response.</param>
internal sealed record FunctionPolicy(
    string FunctionName,
    bool IsHttp,
    bool AllowAnonymous,
    string RequiredScope,
    string? HttpOutputBindingName)
{
    public bool IsProtected => IsHttp && !AllowAnonymous;
}
