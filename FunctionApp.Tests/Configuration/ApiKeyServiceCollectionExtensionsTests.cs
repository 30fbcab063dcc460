using Azure.Security.KeyVault.Secrets;
using FunctionApp.Configuration;
using FunctionApp.KeyRing;
using FunctionApp.KeySources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Configuration;

public sealed class ApiKeyServiceCollectionExtensionsTests
{
    [Fact]
    public async Task InvalidSettingsStopTheAppAtStartupNamingTheSetting()
    {
        using var host = Build(new() { ["ApiKeys:MaxKeyLength"] = "4", ["ApiKeys:Keys:dev"] = "sha256:00" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ApiKeys:MaxKeyLength must be between 16 and 8192", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApiKeys:Keys:dev starts with sha256:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAVaultKeysComeFromSettingsAndLoadAtStartup()
    {
        var key = TestKeys.NewValue();
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = key });

        await host.StartAsync();
        var keyRings = host.Services.GetRequiredService<KeyRingProvider>();
        var ring = await keyRings.GetAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await host.StopAsync();

        Assert.IsType<SettingsApiKeySource>(host.Services.GetRequiredService<IApiKeySource>());
        Assert.Equal(1, ring!.Count);
        Assert.True(ApiKeyHash.TryCompute(key, out var hash));
        Assert.Equal("dev", ring.Find(hash)?.Name);
    }

    [Fact]
    public void WithAVaultUriKeysComeFromThatVault()
    {
        using var host = Build(new()
        {
            ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/",
            ["ApiKeys:Credential"] = "managedidentity",
            ["ApiKeys:KeyVaultClient:Retry:MaxRetries"] = "1",
        });

        Assert.IsType<KeyVaultApiKeySource>(host.Services.GetRequiredService<IApiKeySource>());
        Assert.Equal(new Uri("https://myvault.vault.azure.net/"), host.Services.GetRequiredService<SecretClient>().VaultUri);
    }

    [Theory]
    [InlineData("Azure.Core")]
    [InlineData("Azure.Identity")]
    public void TheAzureSdksPerRequestLogsAreOffUnlessConfigurationTurnsThemUp(string category)
    {
        var vault = new Dictionary<string, string?> { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/" };
        using var quiet = Build(vault);
        using var loud = Build(new(vault) { [$"Logging:LogLevel:{category}"] = "Information" });
        using var settingsOnly = Build([]);

        Assert.False(Logger(quiet, category).IsEnabled(LogLevel.Information));
        Assert.True(Logger(quiet, category).IsEnabled(LogLevel.Warning));
        Assert.True(Logger(quiet, "FunctionApp.Functions").IsEnabled(LogLevel.Information));
        Assert.True(Logger(loud, category).IsEnabled(LogLevel.Information));
        Assert.True(Logger(settingsOnly, category).IsEnabled(LogLevel.Information));

        static ILogger Logger(IHost host, string category) => host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);

        // What the worker's host builder does by default: log levels from the Logging section.
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddProvider(new FakeLoggerProvider());
        builder.Services.AddApiKeyAuthentication(builder.Configuration);
        return builder.Build();
    }
}
