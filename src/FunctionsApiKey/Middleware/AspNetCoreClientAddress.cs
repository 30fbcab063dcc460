using System.Diagnostics.CodeAnalysis;
using System.Net;
using FunctionsApiKey.Policies;
using Microsoft.AspNetCore.Http;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The caller's address in ASP.NET Core integration: the host forwards the request with <c>X-Forwarded-For</c> set to
/// the address it received it from, and the worker's forwarded-headers middleware has already made that the
/// connection's remote address. With proxies of the app's own in front, the entry that many places from the right of
/// what remains of <c>X-Forwarded-For</c>; when the chain did not survive, the address is unknown.
/// </summary>
/// <param name="httpContext">The forwarded request.</param>
/// <param name="trustedProxyHops">Proxies of the app's own in front of Azure's front end (<see cref="ApiKeyOptions.TrustedProxyHops"/>).</param>
internal readonly struct AspNetCoreClientAddress(HttpContext httpContext, int trustedProxyHops) : IClientAddress
{
    public bool TryGet([NotNullWhen(true)] out IPAddress? address)
    {
        if (trustedProxyHops == 0)
        {
            address = httpContext.Connection.RemoteIpAddress is { } remote ? ForwardedFor.Normalize(remote) : null;
            return address is not null;
        }

        var values = httpContext.Request.Headers[ForwardedFor.HeaderName];
        return ForwardedFor.TryPick(values.Count <= 1 ? values.ToString() : string.Join(',', values.ToArray()), trustedProxyHops, out address);
    }
}
