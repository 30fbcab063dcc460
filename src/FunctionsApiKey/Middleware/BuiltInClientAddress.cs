using System.Diagnostics.CodeAnalysis;
using System.Net;
using FunctionsApiKey.Policies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The caller's address in the built-in HTTP model, where the worker never sees a connection: only
/// <c>X-Forwarded-For</c> as the Functions host received it (the host forwards headers over gRPC without adding to it),
/// whose last entry Azure's front end appended. Read from the trigger's <c>Headers</c> binding data, or from the request
/// data when the gate had to bind it.
/// </summary>
/// <param name="context">The invocation.</param>
/// <param name="request">The request data, when the gate already bound it.</param>
/// <param name="trustedProxyHops">Proxies of the app's own in front of Azure's front end (<see cref="ApiKeyOptions.TrustedProxyHops"/>).</param>
internal readonly struct BuiltInClientAddress(FunctionContext context, HttpRequestData? request, int trustedProxyHops) : IClientAddress
{
    public bool TryGet([NotNullWhen(true)] out IPAddress? address)
    {
        string? header = null;
        var count = 0;
        if (request is not null)
        {
            if (request.Headers.TryGetValues(ForwardedFor.HeaderName, out var values))
            {
                // The host joins repeated lines with commas; were they still apart, the last line holds the last entries.
                header = string.Join(',', values);
                count = 1;
            }
        }
        else if (!TriggerHeaders.TryRead(context, ForwardedFor.HeaderName, out header, out count))
        {
            address = null;
            return false;
        }

        // A JSON object that repeats the name is not what the host sends: trust neither copy.
        address = null;
        return count == 1 && ForwardedFor.TryPick(header, trustedProxyHops + 1, out address);
    }
}
