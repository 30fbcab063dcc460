using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace FunctionsApiKey.Policies;

/// <summary>
/// Reads the caller's address from an <c>X-Forwarded-For</c> value: a comma-separated list to which each proxy appends
/// the address it received the request from, so only entries that trusted proxies appended, counted from the right,
/// can be believed; anything to their left is what the caller chose to send.
/// </summary>
internal static class ForwardedFor
{
    public const string HeaderName = "X-Forwarded-For";

    /// <summary>
    /// The address in entry <paramref name="fromRight"/> (1 = the last) of <paramref name="header"/>: an IPv4 or IPv6
    /// address, with or without a port (<c>203.0.113.7:50312</c>, <c>[2001:db8::1]:443</c>, as Azure's front end writes
    /// it). False when the header is absent, has fewer entries, or that entry is not an address.
    /// </summary>
    public static bool TryPick(string? header, int fromRight, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(header) || fromRight < 1)
        {
            return false;
        }

        var rest = header.AsSpan();
        for (var i = 1; ; i++)
        {
            var comma = rest.LastIndexOf(',');
            var entry = rest[(comma + 1)..].Trim();
            if (i == fromRight)
            {
                return TryParse(entry, out address);
            }

            if (comma < 0)
            {
                return false;
            }

            rest = rest[..comma];
        }
    }

    /// <summary>An address alone, or an endpoint with a port; IPv4-mapped IPv6 addresses read as IPv4, as networks are written.</summary>
    public static bool TryParse(ReadOnlySpan<char> entry, [NotNullWhen(true)] out IPAddress? address)
    {
        if (IPAddress.TryParse(entry, out address) || (IPEndPoint.TryParse(entry, out var endpoint) && (address = endpoint.Address) is not null))
        {
            address = Normalize(address);
            return true;
        }

        address = null;
        return false;
    }

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
