using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FunctionsApiKey.Redis;

/// <summary>Fails startup on both settings set, or on one that does not read, naming the setting.</summary>
public sealed class RedisRateLimitOptionsValidator : IValidateOptions<RedisRateLimitOptions>
{
    private const string Endpoint = "ApiKeys:Redis:Endpoint";
    private const string ConnectionString = "ApiKeys:Redis:ConnectionString";

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, RedisRateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hasEndpoint = !string.IsNullOrWhiteSpace(options.Endpoint);
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        if (hasEndpoint && hasConnectionString)
        {
            return ValidateOptionsResult.Fail(
                $"Both {Endpoint} and {ConnectionString} are set; set {Endpoint} (Azure Managed Redis, managed identity) in Azure, or {ConnectionString} for a local server, not both.");
        }

        if (hasEndpoint && !TryEndpoint(options.Endpoint!, out _, out _))
        {
            return ValidateOptionsResult.Fail(
                $"{Endpoint} '{options.Endpoint}' is not host:port; write the Azure Managed Redis endpoint, e.g. myredis.westeurope.redis.azure.net:10000.");
        }

        if (hasConnectionString && !TryConnectionString(options.ConnectionString!, out _, out var problem))
        {
            // The problem names an option, never a password: the parser quotes the unknown keyword only.
            return ValidateOptionsResult.Fail($"{ConnectionString} is not a StackExchange.Redis configuration string ({problem}); write e.g. 127.0.0.1:6379.");
        }

        return ValidateOptionsResult.Success;
    }

    internal static bool TryEndpoint(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon].Trim() : string.Empty;
        port = 0;
        return host.Length > 0 && !host.Contains(' ', StringComparison.Ordinal) && !host.Contains(',', StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
    }

    internal static bool TryConnectionString(string text, out ConfigurationOptions? configuration, out string? problem)
    {
        try
        {
            configuration = ConfigurationOptions.Parse(text);
        }
        catch (ArgumentException ex)
        {
            configuration = null;
            problem = ex.Message.Split('\n')[0].Trim();
            return false;
        }

        problem = configuration.EndPoints.Count == 0 ? "it names no host:port" : null;
        return problem is null;
    }
}
