using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.SharedRing;

/// <summary>Fails startup on shared-ring settings that cannot work, naming the setting and the fix.</summary>
internal sealed partial class SharedRingOptionsValidator(IConfiguration configuration) : IValidateOptions<SharedRingOptions>
{
    private const string Section = ApiKeyDefaults.SectionName;

    public ValidateOptionsResult Validate(string? name, SharedRingOptions options)
    {
        var errors = new List<string>();
        if (!StorageConnection.IsConfigured(configuration.GetSection(options.RingConnection), "blob"))
        {
            errors.Add($"{Section}:RingConnection names '{options.RingConnection}', which is not configured: set {options.RingConnection} to a connection string, or {options.RingConnection}__blobServiceUri (or __accountName) with __credential=managedidentity.");
        }

        if (!ContainerName().IsMatch(options.RingContainer))
        {
            errors.Add($"{Section}:RingContainer must be 3 to 63 lower-case letters, digits and single dashes (default 'functionsapikey'); it is '{options.RingContainer}'.");
        }

        if (string.IsNullOrWhiteSpace(options.RingBlobName) || options.RingBlobName.Length > 200)
        {
            errors.Add($"{Section}:RingBlobName must be a blob name of 1 to 200 characters (default 'keyring').");
        }

        if (options.RingPollInterval < TimeSpan.FromMilliseconds(100) || options.RingPollInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Section}:RingPollInterval must be between 00:00:00.1 and 00:05:00 (default 00:00:05); it is {options.RingPollInterval}.");
        }

        if (options.RingStaleAfter < options.RingPollInterval * 4 || options.RingStaleAfter > TimeSpan.FromDays(1))
        {
            errors.Add($"{Section}:RingStaleAfter must be at least four RingPollIntervals and at most 1.00:00:00 (default 00:01:00); it is {options.RingStaleAfter}.");
        }

        if (options.RingStorageTimeout < TimeSpan.FromSeconds(1) || options.RingStorageTimeout > TimeSpan.FromMinutes(5) || options.RingStorageTimeout > options.RingStaleAfter)
        {
            errors.Add($"{Section}:RingStorageTimeout must be between 00:00:01 and 00:05:00, and at most RingStaleAfter (default 00:00:10); it is {options.RingStorageTimeout}.");
        }

        var keys = options.VerificationKeyTexts();
        if (keys.Length == 0)
        {
            errors.Add($"{Section}:RingVerificationKeys is not set: list the public key of the ring's signing key (docs/shared-ring.md shows how to make one).");
        }

        foreach (var (key, index) in keys.Select((k, i) => (k, i + 1)))
        {
            if (!RingKeys.TryReadPublicKey(key, out var publicKey))
            {
                errors.Add($"{Section}:RingVerificationKeys entry {index} is not a P-256 public key in base64 SubjectPublicKeyInfo form.");
            }

            publicKey?.Dispose();
        }

        if (string.IsNullOrWhiteSpace(options.RingSigningSecret))
        {
            errors.Add($"{Section}:RingSigningSecret must name the vault secret that holds the signing key (default 'keyring-signing-key').");
        }

        if (options.PublishSchedule is not { } schedule || schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            errors.Add($"{Section}:PublishSchedule must be the publisher's six-field cron schedule (seconds first), e.g. '*/10 * * * * *'; it is '{options.PublishSchedule}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerName();
}
