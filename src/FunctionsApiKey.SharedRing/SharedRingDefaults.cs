namespace FunctionsApiKey.SharedRing;

/// <summary>The names this package promises to keep.</summary>
public static class SharedRingDefaults
{
    /// <summary>The value of <c>ApiKeys:KeySource</c> that chooses the shared ring.</summary>
    public const string KeySource = "sharedring";

    /// <summary>The publisher's timer function.</summary>
    public const string PublisherFunctionName = "PublishKeyRing";

    /// <summary>The name of this package's <c>BlobServiceClient</c> among the app's Azure clients.</summary>
    public const string ClientName = "FunctionsApiKey";

    /// <summary>Log category of the shared ring, publisher and instances (event ids 40–59).</summary>
    public const string LogCategory = "FunctionsApiKey.SharedRing";
}
