namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>A token <see cref="FakeManagedIdentityEndpoint"/> issued.</summary>
/// <param name="Resource">The <c>resource</c> asked for.</param>
/// <param name="ClientId">The <c>client_id</c> of a user-assigned identity; null for the system-assigned one.</param>
public sealed record IssuedToken(string Resource, string? ClientId);
