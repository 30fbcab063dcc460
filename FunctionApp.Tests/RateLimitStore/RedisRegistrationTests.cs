using FunctionApp.Testing;
using FunctionApp.Tests.TestDoubles;
using Microsoft.Extensions.Logging;
using FunctionsApiKey.Policies;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.RateLimitStore;

/// <summary><c>AddRedisRateLimits()</c>: off without settings, stopped at startup by a wrong one, added once however often it is called.</summary>
public sealed class RedisRegistrationTests
{
    [Theory]
    [InlineData("ApiKeys:Redis:Endpoint", "myredis.westeurope.redis.azure.net", "ApiKeys:Redis:Endpoint 'myredis.westeurope.redis.azure.net' is not host:port")]
    [InlineData("ApiKeys:Redis:Endpoint", "myredis:99999", "ApiKeys:Redis:Endpoint 'myredis:99999' is not host:port")]
    [InlineData("ApiKeys:Redis:ConnectionString", "127.0.0.1:6379,nosuchoption=1", "ApiKeys:Redis:ConnectionString is not a StackExchange.Redis configuration string")]
    [InlineData("ApiKeys:Redis:ConnectionString", "password=secret", "ApiKeys:Redis:ConnectionString is not a StackExchange.Redis configuration string (it names no host:port)")]
    public void AMalformedSettingStopsTheAppNamingIt(string setting, string value, string message)
    {
        using var host = Build(new() { [setting] = value });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BothSettingsStopTheAppNamingThem()
    {
        using var host = Build(new() { ["ApiKeys:Redis:Endpoint"] = "myredis.westeurope.redis.azure.net:10000", ["ApiKeys:Redis:ConnectionString"] = "127.0.0.1:6379" });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Both ApiKeys:Redis:Endpoint and ApiKeys:Redis:ConnectionString are set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithNeitherSettingLimitsStayPerInstance()
    {
        using var host = Build([]);
        host.Services.GetRequiredService<IStartupValidator>().Validate();

        var shared = host.Services.GetRequiredService<SharedRateLimits>();
        var policy = host.Services.GetRequiredService<PolicyBook>()
            .Compile([PolicyKeys.Create("partner", TestKeys.NewValue(), ("RateLimit", "5/min"))], "test", out _).Values.Single();

        Assert.False(shared.IsEnabled);
        Assert.Null(policy.Partition!.Budget);
    }

    [Fact]
    public void AConnectionStringSharesTheLimitsAndCallingTwiceAddsOneRefiller()
    {
        var registered = new ServiceCollection();
        using var host = Build(new() { ["ApiKeys:Redis:ConnectionString"] = "127.0.0.1:6379" }, registered);
        host.Services.GetRequiredService<IStartupValidator>().Validate();

        var policy = host.Services.GetRequiredService<PolicyBook>()
            .Compile([PolicyKeys.Create("partner", TestKeys.NewValue(), ("RateLimit", "5/min"))], "test", out _).Values.Single();

        Assert.True(host.Services.GetRequiredService<SharedRateLimits>().IsEnabled);
        Assert.NotNull(policy.Partition!.Budget);
        Assert.Single(registered, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(RateLimitBudgetRefiller));
    }

    private static IHost Build(Dictionary<string, string?> settings, IServiceCollection? registered = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Environment.EnvironmentName = Environments.Development;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ApiKeys:Keys:dev"] = TestKeys.NewValue() });
        builder.Logging.AddProvider(new FakeLoggerProvider());
        var gate = builder.UseApiKeyAuthentication().AddRedisRateLimits();
        if (registered is not null)
        {
            gate.AddRedisRateLimits();
            foreach (var descriptor in builder.Services)
            {
                registered.Add(descriptor);
            }
        }

        return builder.Build();
    }
}
