using System.Collections.Immutable;
using System.Net;

namespace FunctionsApiKey.Policies;

/// <summary>What one key's policies require of a request: an allowed address, and a partition to count it in.</summary>
/// <param name="Networks">The networks the key may be used from; default when it may be used from anywhere.</param>
/// <param name="Partition">The counts the key draws from; null when it has no limit.</param>
internal sealed record KeyPolicy(ImmutableArray<IPNetwork> Networks, PolicyPartition? Partition)
{
    /// <summary>
    /// Checks the address first (a refused address uses up no budget), then counts the request. An address the request
    /// does not give in a trusted way is refused like one outside the networks.
    /// </summary>
    public PolicyVerdict Admit<TClient>(ref TClient client, DateTimeOffset now)
        where TClient : struct, IClientAddress
    {
        if (!Networks.IsDefault && !(client.TryGet(out var address) && Contains(address)))
        {
            return new PolicyVerdict(PolicyRefusal.AddressDenied);
        }

        return Partition is { } partition ? partition.Admit(now) : PolicyVerdict.Allowed;
    }

    private bool Contains(IPAddress address)
    {
        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
