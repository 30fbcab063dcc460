using System.Security.Cryptography;
using System.Text;

namespace FunctionApp.TestHost;

/// <summary>
/// The host id, which names the host's locks in storage (<c>locks/{hostId}/…</c>), read as the host's
/// <c>ScriptHostIdProvider</c> reads it: the setting <c>AzureFunctionsWebHost__hostid</c> when set; in App Service
/// (<c>WEBSITE_INSTANCE_ID</c> set) the site's unique slot name (<c>WEBSITE_SITE_NAME</c>, with <c>-{slot}</c> for a
/// slot other than production), so every instance of an app shares it; elsewhere the machine's name (letters and digits
/// only), a dash and a stable hash of the app folder, so instances of one app folder on one machine share it. Then cut
/// to 32 characters, lower-cased, trailing dashes trimmed. The host hashes the folder with its own function; this hash
/// differs, so a test host and func start on one machine never share a lock.
/// </summary>
internal static class HostId
{
    private const int MaximumLength = 32;

    public const string Setting = "AzureFunctionsWebHost__hostid";

    public static string Read(IReadOnlyDictionary<string, string> environment, string appDirectory)
    {
        if (Value(environment, Setting) is { } configured)
        {
            return configured;
        }

        string id;
        if (Value(environment, "WEBSITE_INSTANCE_ID") is not null && Value(environment, "WEBSITE_SITE_NAME") is { } site)
        {
            var slot = Value(environment, "WEBSITE_SLOT_NAME");
            id = slot is null || slot.Equals("Production", StringComparison.OrdinalIgnoreCase) ? site : $"{site}-{slot}";
        }
        else
        {
            var machine = string.Concat(Environment.MachineName.Where(char.IsLetterOrDigit));
            var hash = BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(Path.TrimEndingDirectorySeparator(appDirectory))), 0) & int.MaxValue;
            id = $"{machine}-{hash}";
        }

        return (id.Length > MaximumLength ? id[..MaximumLength] : id).ToLowerInvariant().TrimEnd('-');
    }

    private static string? Value(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.FirstOrDefault(e => e.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } value ? value : null;
}
