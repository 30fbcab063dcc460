using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FunctionsApiKey;

/// <summary>
/// The key properties that restrict how a key may be used, declared by this package and registered by
/// <c>UseApiKeyAuthentication()</c>: settings (<c>ApiKeys__Keys__&lt;key&gt;__RateLimit</c>), Key Vault tags
/// (<c>ratelimit</c>) and the shared ring carry them with no further call. Each is critical: a reader that does not know
/// it leaves the key out rather than serve it unrestricted, and a value that does not read leaves the key out too.
/// </summary>
public static class ApiKeyPolicies
{
    /// <summary>The longest canonical text of a policy: a Key Vault tag value holds 256 characters, a ring field 255 bytes.</summary>
    public const int MaxTextLength = 255;

    private static readonly char[] ListSeparators = [' ', '\t', '\r', '\n', ','];

    /// <summary>Requests per second, minute, hour or day, with an optional burst: <c>100/s</c>, <c>6000/min</c>, <c>100/s burst 200</c>.</summary>
    public static readonly ApiKeyProperty<ApiKeyRateLimit> RateLimit = new("RateLimit", ApiKeyRateLimit.TryParse, limit => limit.ToString(), isCritical: true);

    /// <summary>Requests per UTC calendar day or month: <c>50000/day</c>, <c>1000000/month</c>.</summary>
    public static readonly ApiKeyProperty<ApiKeyQuota> Quota = new("Quota", ApiKeyQuota.TryParse, quota => quota.ToString(), isCritical: true);

    /// <summary>
    /// The networks a key may be used from, IPv4 and IPv6, separated by spaces or commas: <c>203.0.113.0/24, 2001:db8::/32</c>;
    /// an address alone is a network of one.
    /// </summary>
    public static readonly ApiKeyProperty<ImmutableArray<IPNetwork>> Ips = new("Ips", TryParseNetworks, FormatNetworks, isCritical: true);

    /// <summary>
    /// Who the key belongs to (1–64 letters, digits, <c>-</c>, <c>_</c> or <c>.</c>, compared ignoring letter case). Keys of
    /// one owner share one rate limit and one quota count: see docs/configuration.md.
    /// </summary>
    public static readonly ApiKeyProperty<string> Owner = new("Owner", TryParseOwner, owner => owner, isCritical: true);

    /// <summary>Every declaration above, as <c>UseApiKeyAuthentication()</c> registers them.</summary>
    public static IReadOnlyList<ApiKeyProperty> All { get; } = [RateLimit, Quota, Ips, Owner];

    private static bool TryParseNetworks(string text, out ImmutableArray<IPNetwork> networks, [NotNullWhen(false)] out string? problem)
    {
        networks = default;
        var entries = text.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0)
        {
            problem = "names no network; list the addresses or CIDR networks the key may be used from, e.g. 203.0.113.0/24, 2001:db8::/32";
            return false;
        }

        var builder = ImmutableArray.CreateBuilder<IPNetwork>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry.Contains('/', StringComparison.Ordinal) ? TryNetwork(entry, out var network) : TryHost(entry, out network))
            {
                if (!builder.Contains(network))
                {
                    builder.Add(network);
                }

                continue;
            }

            // An entry made of address characters only is safe to repeat; anything else is described, not quoted.
            var shown = entry.Length <= 50 && entry.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':' or '/') ? $"{entry}, which" : "an entry that";
            problem = $"lists {shown} is not an address or a CIDR network (no bits set past the prefix length), e.g. 203.0.113.0/24 or 2001:db8::/32";
            return false;
        }

        networks = builder.ToImmutable();
        if (Encoding.UTF8.GetByteCount(FormatNetworks(networks)) > MaxTextLength)
        {
            problem = $"is longer than {MaxTextLength} characters when written out; list fewer, wider networks";
            networks = default;
            return false;
        }

        problem = null;
        return true;
    }

    /// <summary>
    /// A CIDR network whose address has no bits set past the prefix: the platform's parser would clear them, and
    /// <c>10.0.0.1/8</c> may as well have meant <c>10.0.0.1/32</c>, so reading it as <c>10.0.0.0/8</c> could widen the key.
    /// </summary>
    private static bool TryNetwork(string text, out IPNetwork network)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return IPNetwork.TryParse(text, out network)
            && IPAddress.TryParse(text.AsSpan(0, slash), out var written)
            && written.Equals(network.BaseAddress);
    }

    private static bool TryHost(string text, out IPNetwork network)
    {
        network = default;
        if (!IPAddress.TryParse(text, out var address))
        {
            return false;
        }

        network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        return true;
    }

    private static string FormatNetworks(ImmutableArray<IPNetwork> networks) => string.Join(',', networks.Select(n => n.ToString()));

    private static bool TryParseOwner(string text, [MaybeNullWhen(false)] out string owner, [NotNullWhen(false)] out string? problem)
    {
        owner = text.Trim();
        if (owner.Length is >= 1 and <= 64 && owner.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            problem = null;
            return true;
        }

        owner = null;
        problem = "is not an owner name of 1 to 64 letters, digits, '-', '_' or '.'";
        return false;
    }
}
