namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>A request the fake vault answered: what the client sent, the status it got, and when (server timestamps).</summary>
public sealed record FakeVaultRequest(string Method, string Path, string Query, bool HadToken, int Status, long Received, long Answered)
{
    /// <summary>A GET of one secret's value (<c>/secrets/{name}</c> or <c>/secrets/{name}/{version}</c>), past the auth challenge.</summary>
    public bool IsValueRequest => Method == "GET" && HadToken && Path.StartsWith("/secrets/", StringComparison.Ordinal) && !Path.EndsWith("/versions", StringComparison.Ordinal);

    /// <summary>A page of the secret listing, past the auth challenge.</summary>
    public bool IsListRequest => Method == "GET" && HadToken && Path == "/secrets";

    /// <summary>An attempt to change the vault (PUT, PATCH or DELETE), past the auth challenge, whether or not it was allowed.</summary>
    public bool IsWriteRequest => Method is "PUT" or "PATCH" or "DELETE" && HadToken;
}
