using FunctionApp.Configuration;
using FunctionApp.Diagnostics;
using FunctionApp.KeyRing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionApp.KeySources;

/// <summary>
/// Keys written in application settings (<c>local.settings.json</c> locally): meant for development, where a
/// vault is more ceremony than the work needs.
/// </summary>
internal sealed class SettingsApiKeySource(
    IConfiguration configuration,
    IOptions<ApiKeyOptions> options,
    IHostEnvironment environment,
    ILogger<SettingsApiKeySource> logger) : IApiKeySource
{
    private int _warnedOutsideDevelopment;

    public string Name => "settings";

    public Task<IReadOnlyList<ApiKey>> LoadAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() && Interlocked.Exchange(ref _warnedOutsideDevelopment, 1) == 0)
        {
            logger.SettingsKeysOutsideDevelopment(environment.EnvironmentName);
        }

        // Startup validation already refused bad keys; this only matters if configuration is reloaded.
        var (keys, errors) = SettingsKeyReader.Read(configuration.GetSection(SettingsKeyReader.SectionPath), options.Value.MaxKeyLength);
        foreach (var error in errors)
        {
            logger.InvalidSettingsKey(error);
        }

        return Task.FromResult(keys);
    }
}
