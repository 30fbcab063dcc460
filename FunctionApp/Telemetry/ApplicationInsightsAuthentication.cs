using Azure.Core;
using Azure.Identity;

namespace FunctionApp.Telemetry;

/// <summary>
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> as the Functions host reads it, so that one setting authenticates
/// the host's telemetry and the worker's: <c>Authorization=AAD</c> for Microsoft Entra ID with the system-assigned
/// identity, plus <c>ClientId=&lt;client id&gt;</c> for a user-assigned one. Anything else means no Entra ID credential.
/// </summary>
/// <param name="UsesEntraId">Whether <c>Authorization=AAD</c> is set.</param>
/// <param name="ClientId">The user-assigned identity's client id; null for the system-assigned identity.</param>
internal sealed record ApplicationInsightsAuthentication(bool UsesEntraId, string? ClientId)
{
    public static ApplicationInsightsAuthentication Parse(string? text)
    {
        var parts = (text ?? string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        return new(
            string.Equals(parts.GetValueOrDefault("Authorization"), "AAD", StringComparison.OrdinalIgnoreCase),
            parts.GetValueOrDefault("ClientId") is { Length: > 0 } clientId ? clientId : null);
    }

    /// <summary>The managed identity the exporter should authenticate with; null to send with the connection string alone.</summary>
    public TokenCredential? CreateCredential() =>
        !UsesEntraId ? null
        : ClientId is { } clientId ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
        : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
}
