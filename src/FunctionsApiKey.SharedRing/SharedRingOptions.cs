namespace FunctionsApiKey.SharedRing;

/// <summary>
/// Where the shared key ring lives and how instances follow it, bound from the <c>ApiKeys</c> section
/// (<c>ApiKeys__Ring…</c>, <c>ApiKeys__PublishSchedule</c>). Used when <c>ApiKeys:KeySource</c> is <c>sharedring</c>.
/// </summary>
public sealed class SharedRingOptions
{
    /// <summary>
    /// The storage connection: the name of a configuration section as the Functions host reads its connections, i.e.
    /// a connection string (<c>UseDevelopmentStorage=true</c> with Azurite), or <c>__blobServiceUri</c> /
    /// <c>__accountName</c> with <c>__credential=managedidentity</c> and <c>__clientId</c> for an identity.
    /// </summary>
    public string RingConnection { get; set; } = "AzureWebJobsStorage";

    /// <summary>The blob container of the ring; created when missing.</summary>
    public string RingContainer { get; set; } = "functionsapikey";

    /// <summary>The ring's blob; its heartbeat is <c>&lt;name&gt;.heartbeat</c> beside it.</summary>
    public string RingBlobName { get; set; } = "keyring";

    /// <summary>How often each instance checks the ring for a new generation (a conditional read: one 304 when unchanged).</summary>
    public TimeSpan RingPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the ring may go unconfirmed by its publisher before instances stop trusting it as current. Then one
    /// instance, elected by a blob lease, runs the publisher in its place; the others keep their keys for half as long
    /// again, and read the vault themselves (every <see cref="ApiKeyOptions.RefreshInterval"/>) only if nothing has
    /// confirmed the ring by then.
    /// </summary>
    public TimeSpan RingStaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long past <see cref="RingStaleAfter"/> an instance keeps the keys in force while another stands in for the
    /// publisher, before it reads the vault itself: room for a poll, the lease, a publisher run and another poll.
    /// </summary>
    internal TimeSpan StandInGrace => RingStaleAfter / 2;

    /// <summary>
    /// The stand-in lease: Blob Storage's longest finite lease, so a publisher run fits in it, and a holder that dies
    /// frees it within a minute.
    /// </summary>
    internal static TimeSpan StandInLease { get; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long one call to the ring's storage may take, retries included: an instance's read of the ring or its
    /// heartbeat, or a publisher's read or write. Storage that stops answering then costs a poll this long and no longer,
    /// and an instance goes on as when storage is down (to the vault, when the ring is stale or there is none).
    /// </summary>
    public TimeSpan RingStorageTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The public keys (base64 of the DER SubjectPublicKeyInfo of P-256 keys, separated by spaces or commas) whose
    /// signatures instances accept. List the new key beside the old one while rotating the signing key.
    /// </summary>
    public string? RingVerificationKeys { get; set; }

    /// <summary>The vault secret that holds the publisher's signing key (a P-256 private key as PKCS#8 PEM).</summary>
    public string RingSigningSecret { get; set; } = "keyring-signing-key";

    /// <summary>
    /// The publisher's six-field cron schedule, e.g. <c>*/10 * * * * *</c>. The Functions host reads it for the
    /// <c>PublishKeyRing</c> timer function, so it must be set as an app setting.
    /// </summary>
    public string? PublishSchedule { get; set; }

    private static readonly char[] KeySeparators = [' ', ',', '\t', '\r', '\n'];

    /// <summary>Each key of <see cref="RingVerificationKeys"/>, as written.</summary>
    internal string[] VerificationKeyTexts() =>
        string.IsNullOrWhiteSpace(RingVerificationKeys) ? [] : RingVerificationKeys.Split(KeySeparators, StringSplitOptions.RemoveEmptyEntries);
}
