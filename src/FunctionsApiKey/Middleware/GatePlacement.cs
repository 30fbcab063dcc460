namespace FunctionsApiKey.Middleware;

/// <summary>
/// Where <c>UseApiKeyAuthentication()</c> put the gate in the worker's middleware, which runs in registration order;
/// registered once, it also marks the gate as registered.
/// </summary>
/// <param name="AfterAspNetCoreIntegration">
/// Whether ASP.NET Core integration's proxying middleware was registered before the gate, so that the gate sees the
/// forwarded request. Checked at startup by <see cref="AspNetCoreIntegrationValidator"/>.
/// </param>
internal sealed record GatePlacement(bool AfterAspNetCoreIntegration);
