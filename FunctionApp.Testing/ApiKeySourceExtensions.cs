using FunctionsApiKey;

namespace FunctionApp.Testing;

public static class ApiKeySourceExtensions
{
    /// <summary>One load that must bring keys (not "unchanged"), as a first load of any source does.</summary>
    public static async Task<IReadOnlyList<ApiKey>> LoadKeysAsync(this IApiKeySource source, CancellationToken cancellationToken = default) =>
        (await source.LoadAsync(cancellationToken)).Keys ?? throw new InvalidOperationException($"{source.Name} reported no change where keys were expected.");
}
