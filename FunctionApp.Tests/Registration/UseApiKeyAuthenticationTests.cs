using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Middleware;
using FunctionsApiKey.SharedRing;
using FunctionsApiKey.Usage;
using FunctionsApiKey;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Registration;

/// <summary>The one registration call, on the worker's real application builder, as an app's Program.cs makes it.</summary>
public sealed class UseApiKeyAuthenticationTests
{
    [Fact]
    public void InvalidSettingsStopTheAppAtStartupNamingEachSetting()
    {
        using var host = Build(new() { ["ApiKeys:RefreshInterval"] = "00:00:00.1", ["ApiKeys:Keys:dev"] = "sha256:00" }, app => app.UseApiKeyAuthentication());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:RefreshInterval must be between 00:00:01 and 1.00:00:00", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApiKeys:Keys:dev starts with sha256:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyPropertiesWrittenAsListsStopTheAppAtStartupNamingEachSetting()
    {
        using var host = Build(
            new()
            {
                ["ApiKeys:Keys:partner"] = TestKeys.NewValue(),
                ["ApiKeys:Keys:partner:Scopes:0"] = "reports",
                ["ApiKeys:Keys:partner:Enabled:0"] = "false",
                ["ApiKeys:Keys:partner:ExpiresOn:0"] = "2020-01-01",
                ["ApiKeys:Keys:partner:NotBefore:0"] = "2099-01-01",
            },
            app => app.UseApiKeyAuthentication());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        foreach (var property in new[] { "Scopes", "Enabled", "ExpiresOn", "NotBefore" })
        {
            Assert.Contains($"ApiKeys:Keys:partner:{property}:0 is not a key property", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APropertyDeclaredOnTheBuilderIsReadFromSettings()
    {
        using var host = Build(
            new() { ["ApiKeys:Keys:partner"] = TestKeys.NewValue(), ["ApiKeys:Keys:partner:Tier"] = "Silver" },
            app => app.UseApiKeyAuthentication().AddKeyProperty(TestKeyProperties.Tier).AddKeyProperty(TestKeyProperties.Tier));

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var keys = (await host.Services.GetRequiredService<IApiKeySource>().LoadAsync(CancellationToken.None)).Keys!;

        Assert.True(keys.Single().TryGetProperty(TestKeyProperties.Tier, out var tier));
        Assert.Equal("silver", tier);
        Assert.Equal([.. ApiKeyPolicies.All, TestKeyProperties.Tier], host.Services.GetServices<ApiKeyProperty>());
    }

    [Fact]
    public void AMalformedDeclaredPropertyStopsTheAppAtStartupNamingTheSetting()
    {
        using var host = Build(
            new() { ["ApiKeys:Keys:partner"] = TestKeys.NewValue(), ["ApiKeys:Keys:partner:Region"] = "Mars" },
            app => app.UseApiKeyAuthentication().AddKeyProperty(TestKeyProperties.Region));

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:Keys:partner:Region is not EU or US.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APropertyDeclaredOnTheBuilderReachesTheVaultLoaderThatTheRingReadsAndWritesWith()
    {
        using var host = Build(
            new() { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/", ["ApiKeys:Credential"] = "managedidentity" },
            app => app.UseApiKeyAuthentication().AddKeyProperty(TestKeyProperties.Region).AddKeyVault());

        Assert.Equal([.. ApiKeyPolicies.All, TestKeyProperties.Region], host.Services.GetRequiredService<KeyVaultKeyLoader>().Properties);
    }

    [Fact]
    public void TwoDeclarationsOfOneNameStopTheRegistration()
    {
        var other = TestKeyProperties.OneOf("tier", isCritical: false, "bronze");

        var error = Assert.Throws<InvalidOperationException>(() => Build([], app => app.UseApiKeyAuthentication().AddKeyProperty(TestKeyProperties.Tier).AddKeyProperty(other)).Dispose());

        Assert.Equal("A key property named Tier is already declared; declare tier once.", error.Message);
    }

    [Fact]
    public void AfterConfigureFunctionsWebApplicationTheGateStartsBehindTheIntegrationsProxying()
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app =>
        {
            app.ConfigureFunctionsWebApplication();
            app.UseApiKeyAuthentication();
        });

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.True(host.Services.GetRequiredService<GatePlacement>().AfterAspNetCoreIntegration);
    }

    [Fact]
    public void BeforeConfigureFunctionsWebApplicationTheGateStopsTheAppNamingTheOrderThatWorks()
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app =>
        {
            app.UseApiKeyAuthentication();
            app.ConfigureFunctionsWebApplication();
        });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("UseApiKeyAuthentication() was called before ConfigureFunctionsWebApplication()", error.Message, StringComparison.Ordinal);
        Assert.Contains("call builder.ConfigureFunctionsWebApplication() first, then builder.UseApiKeyAuthentication()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAVaultKeysComeFromSettings()
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app => app.UseApiKeyAuthentication().AddKeyVault());

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<SettingsApiKeySource>(host.Services.GetRequiredService<IApiKeySource>());
    }

    [Fact]
    public void WithAVaultUriKeysComeFromThatVaultThroughANamedClient()
    {
        using var host = Build(new()
        {
            ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/",
            ["ApiKeys:Credential"] = "managedidentity",
            ["ApiKeys:Keys:ignored"] = "not checked: keys come from the vault",
        }, app =>
        {
            app.UseApiKeyAuthentication().AddKeyVault();

            // The app's own vault client, as it would register it for its own secrets.
            app.Services.AddAzureClients(clients => clients.AddSecretClient(new Uri("https://apps-own-vault.vault.azure.net/")));
        });

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<KeyVaultApiKeySource>(host.Services.GetRequiredService<IApiKeySource>());
        var ours = host.Services.GetRequiredService<IAzureClientFactory<SecretClient>>().CreateClient(KeyVaultApiKeyDefaults.ClientName);
        Assert.Equal(new Uri("https://myvault.vault.azure.net/"), ours.VaultUri);
        Assert.Equal(new Uri("https://apps-own-vault.vault.azure.net/"), host.Services.GetRequiredService<SecretClient>().VaultUri);
    }

    [Fact]
    public void AVaultUriWithoutTheVaultSourceStopsTheAppRatherThanServingSettingsKeys()
    {
        using var host = Build(new() { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/", ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app => app.UseApiKeyAuthentication());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:KeyVaultUri is set, but keys come from settings: register the vault with builder.UseApiKeyAuthentication().AddKeyVault()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVaultUriSetInCodeChoosesTheVaultAndNamingTheVaultWithoutOneStopsTheApp()
    {
        using var inCode = Build([], app => app.UseApiKeyAuthentication().AddKeyVault(vault => vault.KeyVaultUri = new Uri("https://myvault.vault.azure.net/")));
        inCode.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(KeyVaultApiKeyDefaults.KeySource, inCode.Services.GetRequiredService<IApiKeySource>().Name);

        using var named = Build(new() { ["ApiKeys:KeySource"] = "keyvault" }, app => app.UseApiKeyAuthentication().AddKeyVault(vault => vault.SecretPrefix = "fnkey-"));
        var error = Assert.Throws<OptionsValidationException>(() => named.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("ApiKeys:KeyVaultUri is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachAddCallIsSafeTwiceAndOffersItsSourceWithoutReadingConfigurationOrCreatingIt()
    {
        // Registered with no vault configured: nothing is created, checked or chosen until ApiKeys:KeySource names it.
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app => app.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing().AddKeyVault().AddSharedKeyRing());

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal("settings", host.Services.GetRequiredService<IApiKeySource>().Name);
        Assert.Single(Registered(host), d => d.ServiceType == typeof(IValidateOptions<KeyVaultApiKeyOptions>));
        Assert.Single(Registered(host), d => d.ServiceType == typeof(IValidateOptions<SharedRingOptions>));
        Assert.Single(Registered(host), d => d.ServiceType == typeof(SharedRingApiKeySource));
        Assert.Equal(["settings", "keyvault", "sharedring"], Registered(host).Select(d => d.ImplementationInstance).OfType<KeySourceRegistration>().Select(r => r.Name));
    }

    [Fact]
    public void TheSharedRingIsTheSourceWhenConfigurationNamesItAndEverySettingItNeedsIsThere()
    {
        using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var host = Build(SharedRing(RingKeys.PublicKeyText(signer)), app => app.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing());

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<SharedRingApiKeySource>(host.Services.GetRequiredService<IApiKeySource>());
        Assert.Equal(new Uri("https://myvault.vault.azure.net/"), host.Services.GetRequiredService<IAzureClientFactory<SecretClient>>().CreateClient(KeyVaultApiKeyDefaults.ClientName).VaultUri);
        Assert.Equal("functionsapikey", host.Services.GetRequiredService<RingStore>().Description.Split('/')[0]);
    }

    [Theory]
    [InlineData("Sometimes")]
    [InlineData("7")]
    public void AnUnknownKeysWithoutScopesStopsTheAppNamingTheSetting(string value)
    {
        using var host = Build(new() { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/", ["ApiKeys:KeysWithoutScopes"] = value }, app => app.UseApiKeyAuthentication().AddKeyVault());

        // A name the binder cannot read fails binding, a number that names no value fails validation: both name the setting.
        var error = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:KeysWithoutScopes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysWithoutScopesReachesTheVaultLoaderTheSharedRingPublishesWith()
    {
        using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var host = Build(new(SharedRing(RingKeys.PublicKeyText(signer))) { ["ApiKeys:KeysWithoutScopes"] = "everyfunction" }, app => app.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing());

        host.Services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(KeysWithoutScopes.EveryFunction, host.Services.GetRequiredService<IOptions<KeyVaultApiKeyOptions>>().Value.KeysWithoutScopes);
        Assert.Same(host.Services.GetRequiredService<KeyVaultKeyLoader>(), host.Services.GetRequiredService<KeyVaultKeyLoader>());
    }

    [Fact]
    public void TheRingsStorageClientTriesThreeTimesWithinTheStorageTimeoutUnlessConfiguredOtherwise()
    {
        using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var settings = SharedRing(RingKeys.PublicKeyText(signer));
        settings["ApiKeys:RingStorageTimeout"] = "00:00:04";
        using var host = Build(settings, app => app.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing());
        settings["ApiKeys:RingClient:Retry:MaxRetries"] = "5";
        using var configured = Build(settings, app => app.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing());

        // The SDK's default is 3 retries with a 100 s network timeout each.
        var retry = host.Services.GetRequiredService<IOptionsMonitor<BlobClientOptions>>().Get(SharedRingDefaults.ClientName).Retry;
        Assert.Equal((2, TimeSpan.FromSeconds(4)), (retry.MaxRetries, retry.NetworkTimeout));
        Assert.Equal(5, configured.Services.GetRequiredService<IOptionsMonitor<BlobClientOptions>>().Get(SharedRingDefaults.ClientName).Retry.MaxRetries);
    }

    [Fact]
    public void TheSharedRingWithoutItsSettingsStopsTheAppNamingEach()
    {
        var settings = SharedRing(verificationKeys: "not-a-key");
        settings.Remove("AzureWebJobsStorage");
        settings.Remove("ApiKeys:PublishSchedule");
        settings["ApiKeys:RingStorageTimeout"] = "00:02:00";
        using var host = Build(settings, app => app.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:RingStorageTimeout must be between 00:00:01 and 00:05:00, and at most RingStaleAfter (default 00:00:10); it is 00:02:00.", error.Message, StringComparison.Ordinal);

        Assert.Contains("ApiKeys:RingConnection names 'AzureWebJobsStorage', which is not configured", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApiKeys:RingVerificationKeys entry 1 is not a P-256 public key", error.Message, StringComparison.Ordinal);
        Assert.Contains("ApiKeys:PublishSchedule must be the publisher's six-field cron schedule", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamingTheSharedRingWithoutRegisteringItStopsTheApp()
    {
        using var host = Build(SharedRing("unused"), app => app.UseApiKeyAuthentication().AddKeyVault());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:KeySource is 'sharedring', but no key source of that name is registered (registered: settings, keyvault). Set it to one of those, or register the source it names in Program.cs.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeySourceThatIsNoneOfTheThreeStopsTheApp()
    {
        using var host = Build(new() { ["ApiKeys:KeySource"] = "sharedrng", ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/" }, app => app.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:KeySource is 'sharedrng', but no key source of that name is registered (registered: settings, keyvault, sharedring).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoreOfYourOwnAddedWithAddSourceServesItsKeysWithNoSettingNamingIt()
    {
        using var host = Build([], app => app.UseApiKeyAuthentication().AddSource<OwnStore>());

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var keys = (await host.Services.GetRequiredService<IApiKeySource>().LoadAsync(CancellationToken.None)).Keys!;
        Assert.True(TestKeys.HasValue(Assert.Single(keys), OwnStore.Value));
    }

    [Fact]
    public void NamingAStoreOfYourOwnSelectsItAndNamingOneNotRegisteredStopsTheApp()
    {
        using var named = Build(new() { ["ApiKeys:KeySource"] = "ownstore" }, app => app.UseApiKeyAuthentication().AddSource<OwnStore>());
        named.Services.GetRequiredService<IStartupValidator>().Validate();

        using var missing = Build(new() { ["ApiKeys:KeySource"] = "ownstore", ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app => app.UseApiKeyAuthentication());
        var error = Assert.Throws<OptionsValidationException>(() => missing.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("ApiKeys:KeySource is 'ownstore', but no key source of that name is registered (registered: settings).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVaultUriBesideAStoreOfYourOwnStopsTheAppRatherThanIgnoringTheVault()
    {
        using var host = Build(new() { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/" }, app => app.UseApiKeyAuthentication().AddSource<OwnStore>());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:KeyVaultUri is set, but keys come from ownstore: register the vault with builder.UseApiKeyAuthentication().AddKeyVault(), or set ApiKeys:KeySource to ownstore to use it, or remove ApiKeys:KeyVaultUri.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LastUseGoesToTheTableOfTheStorageConnection()
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue(), ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["ApiKeys:LastUseTable"] = "usage" }, app => app.UseApiKeyAuthentication().AddLastUseTable());

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.IsType<TableLastUseStore>(host.Services.GetRequiredService<ILastUseStore>());
        Assert.Single(Registered(host), d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(LastUseWriter));
        var tables = host.Services.GetRequiredService<IAzureClientFactory<Azure.Data.Tables.TableServiceClient>>().CreateClient(LastUseDefaults.ClientName);
        Assert.Equal("devstoreaccount1", tables.AccountName);
    }

    [Fact]
    public void WithoutAStorageConnectionTheAppStillStartsAndLastUseWarnsWhenItWrites()
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app => app.UseApiKeyAuthentication().AddLastUseTable());

        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var store = host.Services.GetRequiredService<ILastUseStore>();
        var error = Assert.Throws<InvalidOperationException>(() => store.RecordAsync([new KeyLastUse("dev", DateTimeOffset.UnixEpoch)], CancellationToken.None).GetAwaiter().GetResult());
        Assert.Contains("the storage connection 'AzureWebJobsStorage' (ApiKeys:LastUseConnection) is not configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadLastUseTableNameStopsTheApp()
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue(), ["ApiKeys:LastUseTable"] = "last-use" }, app => app.UseApiKeyAuthentication().AddLastUseTable());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ApiKeys:LastUseTable 'last-use' is not a table name", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("usage-counts", "ApiKeys:UsageTable 'usage-counts' is not a table name")]
    [InlineData("ApiKeyLastUse", "ApiKeys:UsageTable 'ApiKeyLastUse' is the last-use table too")]
    public void ABadUsageTableNameStopsTheApp(string table, string message)
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue(), ["ApiKeys:UsageTable"] = table }, app => app.UseApiKeyAuthentication().AddLastUseTable());

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutALastUseStoreNoUseIsRecorded()
    {
        using var host = Build(new() { ["ApiKeys:Keys:dev"] = TestKeys.NewValue() }, app => app.UseApiKeyAuthentication());

        Assert.Null(host.Services.GetService<LastUseRecorder>());
        Assert.DoesNotContain(Registered(host), d => d.ImplementationType == typeof(LastUseWriter));
    }

    [Fact]
    public void CallingItTwiceRegistersTheGateOnceAndAppliesBothCallbacks()
    {
        using var host = Build([], app =>
        {
            app.UseApiKeyAuthentication(options => options.HeaderName = "x-api-key");
            app.UseApiKeyAuthentication(options => options.FirstLoadTimeout = TimeSpan.FromSeconds(3));
        });

        Assert.Single(Registered(host), d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(KeyRingRefresher));
        Assert.Single(Registered(host), d => d.ServiceType == typeof(ApiKeyMiddleware));
        var options = host.Services.GetRequiredService<IOptions<FunctionsApiKey.ApiKeyOptions>>().Value;
        Assert.Equal(("x-api-key", TimeSpan.FromSeconds(3)), (options.HeaderName, options.FirstLoadTimeout));
    }

    [Fact]
    public void CodeWinsOverConfigurationForTheSameOption()
    {
        using var host = Build(new() { ["ApiKeys:HeaderName"] = "from-settings" }, app => app.UseApiKeyAuthentication(options => options.HeaderName = "from-code"));

        Assert.Equal("from-code", host.Services.GetRequiredService<IOptions<FunctionsApiKey.ApiKeyOptions>>().Value.HeaderName);
    }

    [Fact]
    public void CodeWinsOverConfigurationInThePackagesOptionsTooAndASecondCallAddsNothingTwice()
    {
        using var host = Build(
            new() { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/", ["ApiKeys:SecretPrefix"] = "fromsettings-", ["ApiKeys:LastUseTable"] = "fromsettings" },
            app => app.UseApiKeyAuthentication().AddKeyVault(vault => vault.SecretPrefix = "fromcode-").AddLastUseTable(lastUse => lastUse.LastUseTable = "fromcode").AddLastUseTable());

        Assert.Equal("fromcode-", host.Services.GetRequiredService<IOptions<KeyVaultApiKeyOptions>>().Value.SecretPrefix);
        Assert.Equal("fromcode", host.Services.GetRequiredService<IOptions<LastUseOptions>>().Value.LastUseTable);
        Assert.Single(host.Services.GetServices<IValidateOptions<LastUseOptions>>());
    }

    [Theory]
    [InlineData("Azure.Core")]
    [InlineData("Azure.Identity")]
    public void TheAzureSdksPerRequestLogsAreOffWhenTheGateUsesAnAzureClientUnlessConfigurationTurnsThemUp(string category)
    {
        var vault = new Dictionary<string, string?> { ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/" };
        using var quiet = Build(vault, WithVault);
        using var loud = Build(new(vault) { [$"Logging:LogLevel:{category}"] = "Information" }, WithVault);
        using var settingsOnly = Build([], app => app.UseApiKeyAuthentication());
        using var lastUse = Build([], app => app.UseApiKeyAuthentication().AddKeyVault().AddLastUseTable());

        Assert.False(Logger(quiet, category).IsEnabled(LogLevel.Information));
        Assert.True(Logger(quiet, category).IsEnabled(LogLevel.Warning));
        Assert.True(Logger(quiet, "FunctionApp.Functions").IsEnabled(LogLevel.Information));
        Assert.True(Logger(loud, category).IsEnabled(LogLevel.Information));
        Assert.True(Logger(settingsOnly, category).IsEnabled(LogLevel.Information));
        Assert.False(Logger(lastUse, category).IsEnabled(LogLevel.Information));
        Assert.Single(lastUse.Services.GetServices<IConfigureOptions<LoggerFilterOptions>>(), o => o.GetType().Name == "AzureSdkLogDefaults");

        static void WithVault(FunctionsApplicationBuilder app) => app.UseApiKeyAuthentication().AddKeyVault();
        static ILogger Logger(IHost host, string category) => host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
    }

    private static Dictionary<string, string?> SharedRing(string verificationKeys) => new()
    {
        ["ApiKeys:KeySource"] = "sharedring",
        ["ApiKeys:KeyVaultUri"] = "https://myvault.vault.azure.net/",
        ["ApiKeys:RingVerificationKeys"] = verificationKeys,
        ["ApiKeys:PublishSchedule"] = "*/10 * * * * *",
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
    };

    /// <summary>The worker's own builder, with these settings on top of its defaults, configured as <paramref name="configure"/> says.</summary>
    private static IHost Build(Dictionary<string, string?> settings, Action<FunctionsApplicationBuilder> configure)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Environment.EnvironmentName = Environments.Development;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(new FakeLoggerProvider());
        configure(builder);
        builder.Services.AddSingleton(new RegisteredServices(builder.Services));
        return builder.Build();
    }

    private static IEnumerable<ServiceDescriptor> Registered(IHost host) => host.Services.GetRequiredService<RegisteredServices>().Descriptors;

    private sealed record RegisteredServices(IEnumerable<ServiceDescriptor> Descriptors);

    /// <summary>A key store of the app's own, as docs/how-it-works.md describes plugging one in.</summary>
    private sealed class OwnStore : IApiKeySource
    {
        public static readonly string Value = TestKeys.NewValue();

        public string Name => "ownstore";

        public TimeSpan? PollInterval => null;

        public Task<ApiKeyLoadResult> LoadAsync(CancellationToken cancellationToken) =>
            Task.FromResult(ApiKeyLoadResult.Loaded([ApiKey.FromValue("partner", Value)], DateTimeOffset.UtcNow));
    }
}
