using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace FunctionsApiKey.Policies;

/// <summary>
/// The caller's address, read only when a key has an <c>Ips</c> policy: each HTTP model implements it as a struct, so the
/// check is generic over it and neither boxes nor reads headers for keys without one.
/// </summary>
internal interface IClientAddress
{
    /// <summary>The address, or false when the request does not say it in a way this app trusts.</summary>
    bool TryGet([NotNullWhen(true)] out IPAddress? address);
}
