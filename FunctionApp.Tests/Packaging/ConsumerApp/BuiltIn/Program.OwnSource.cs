using FunctionsApiKey;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Keys from a store of the app's own, and no setting naming it.
builder.UseApiKeyAuthentication().AddSource<OwnStore>();

builder.Build().Run();

/// <summary>
/// A store of the app's own, as a package user writes one: its keys are hashes in the setting OwnStore:Keys, written as
/// name=sha256:hex or name=sha256:hex=scope, separated by semicolons.
/// </summary>
internal sealed class OwnStore(IConfiguration configuration) : IApiKeySource
{
    public string Name => "ownstore";

    public Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        var keys = new List<ApiKey>();
        foreach (var entry in (configuration["OwnStore:Keys"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=');
            var key = ApiKey.FromValue(parts[0], parts[1]);
            keys.Add(parts.Length > 2 ? key with { Scopes = [parts[2]] } : key);
        }

        return Task.FromResult(ApiKeyLoadResult.Loaded(keys));
    }
}
