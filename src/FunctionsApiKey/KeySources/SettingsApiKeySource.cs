using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FunctionsApiKey.KeySources;

/// <summary>
/// Keys written in application settings (<c>local.settings.json</c> locally): meant for development, where a
/// vault is more ceremony than the work needs. The source unless another is registered.
/// </summary>
internal sealed class SettingsApiKeySource(
    IConfiguration configuration,
    IHostEnvironment environment,
    IEnumerable<ApiKeyProperty> properties,
    ILoggerFactory loggerFactory) : IApiKeySource
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.SettingsLogCategory);
    private int _warnedOutsideDevelopment;

    public string Name => "settings";

    public Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() && Interlocked.Exchange(ref _warnedOutsideDevelopment, 1) == 0)
        {
            _logger.SettingsKeysOutsideDevelopment(environment.EnvironmentName);
        }

        // Startup validation already refused bad keys; this only matters if configuration is reloaded.
        var (keys, errors) = SettingsKeyReader.Read(configuration, properties);
        foreach (var error in errors)
        {
            _logger.InvalidSettingsKey(error);
        }

        return Task.FromResult(ApiKeyLoadResult.Loaded(keys));
    }
}
