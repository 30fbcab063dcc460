using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.EndToEnd;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// The unchanged worker reading its keys from the fake vault every second, as in Azure, for checking that what
/// <c>dotnet apikeys</c> writes there is what the running app then does. The tool runs in the same fake Azure.
/// </summary>
public sealed class ToolWorkerFixture : KeyVaultWorkerFixture
{
    /// <summary>How long a vault change may take to reach the worker: its one-second refresh, with room for a slow machine.</summary>
    public static readonly TimeSpan Propagation = TimeSpan.FromSeconds(10);

    protected override TimeSpan RefreshInterval => TimeSpan.FromSeconds(1);

    /// <summary>Runs <c>dotnet apikeys <paramref name="arguments"/></c> against the worker's vault.</summary>
    internal Task<ProcessRun> RunToolAsync(params string[] arguments) => ApiKeysTool.RunAsync(ToolVaultFixture.EnvironmentFor(Azure), arguments);

    // The app needs a key to start with; this one is never presented.
    private protected override void Seed(FakeKeyVaultServer vault) => vault.SetSecret("apikey-seed", TestKeys.Sha256Text(TestKeys.NewValue()), tags: KeyTags.EveryFunction);
}
