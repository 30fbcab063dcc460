using System.Globalization;
using Azure.Core;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FunctionsApiKey.Redis;

/// <summary>
/// Each partition's rate limit as one GCRA cell in Redis (the theoretical arrival time, in microseconds of the server's
/// clock), moved forward by a Lua script that grants up to the number wanted in one atomic step. The clock is the
/// server's, so instances' clocks do not matter. Connects on the first take, which the refiller makes off the request
/// path; a failed connection or command surfaces as an exception the refiller counts and falls back from.
/// </summary>
internal sealed class RedisBudgetStore : IRateLimitBudgetStore, IAsyncDisposable
{
    // ARGV: microseconds per request, the tolerance (burst - 1 intervals), how many are wanted. Returns the number
    // granted and, when none, the server time in microseconds at which one will be, as text so no precision is lost.
    // The cell expires once it is back at "now", when it means no more than a missing key.
    private const string Script = """
        local interval = tonumber(ARGV[1])
        local tolerance = tonumber(ARGV[2])
        local wanted = tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local free = math.floor((now + tolerance - tat) / interval) + 1
        if free < 1 then
          return {0, string.format('%.0f', tat - tolerance)}
        end
        local granted = math.min(free, wanted)
        tat = tat + granted * interval
        redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
        return {granted, string.format('%.0f', now)}
        """;

    // Refresh the Entra token this long before it expires, so a reconnect never presents an expired one.
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly RedisRateLimitOptions _options;
    private readonly TokenCredential? _credential;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private Task<ConnectionMultiplexer>? _connect;
    private ConfigurationOptions? _configuration;
    private long _tokenExpires = DateTimeOffset.MaxValue.UtcTicks;

    public RedisBudgetStore(IOptions<RedisRateLimitOptions> options, RedisCredential credential, TimeProvider time)
        : this(options.Value, credential.Credential, time)
    {
    }

    /// <param name="options">The settings, checked by <see cref="RedisRateLimitOptionsValidator"/>.</param>
    /// <param name="credential">The identity for <see cref="RedisRateLimitOptions.Endpoint"/>; not used with a connection string.</param>
    /// <param name="time">The clock that tells when the token is due for renewal.</param>
    internal RedisBudgetStore(RedisRateLimitOptions options, TokenCredential? credential, TimeProvider time)
    {
        _options = options;
        _credential = string.IsNullOrWhiteSpace(options.Endpoint) ? null : credential;
        _time = time;
    }

    public bool IsEnabled => _options.IsSet;

    public async ValueTask<RateLimitGrant> TakeAsync(string partition, ApiKeyRateLimit limit, int wanted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(limit);
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var interval = (double)limit.Period.Ticks / TimeSpan.TicksPerMicrosecond / limit.Count;
        var result = await connection.GetDatabase()
            .ScriptEvaluateAsync(Script, [RedisRateLimitDefaults.KeyPrefix + partition],
                [interval.ToString("R", CultureInfo.InvariantCulture), (interval * (limit.Burst - 1)).ToString("R", CultureInfo.InvariantCulture), Math.Max(1, wanted)])
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var reply = (RedisResult[])result!;
        var granted = (int)reply[0];
        var at = long.Parse((string)reply[1]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return new RateLimitGrant(granted, DateTimeOffset.UnixEpoch.AddTicks(at * TimeSpan.TicksPerMicrosecond));
    }

    public async ValueTask DisposeAsync()
    {
        if (_connect is { IsCompletedSuccessfully: true } connect)
        {
            await connect.Result.CloseAsync().ConfigureAwait(false);
            connect.Result.Dispose();
        }

        _renewing.Dispose();
    }

    /// <summary>
    /// One connection for the store's life, shared by the round's takes. A take that gives up waiting leaves the
    /// connection attempt running for the next; an attempt that failed is dropped, so the next take tries again.
    /// </summary>
    private async ValueTask<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        var connect = Volatile.Read(ref _connect);
        if (connect is null)
        {
            var created = ConnectCoreAsync();
            connect = Interlocked.CompareExchange(ref _connect, created, null) ?? created;
        }

        ConnectionMultiplexer connection;
        try
        {
            connection = await connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (connect.IsFaulted || connect.IsCanceled)
        {
            _ = Interlocked.CompareExchange(ref _connect, null, connect);
            throw;
        }

        if (_credential is not null && _time.GetUtcNow().UtcTicks >= Volatile.Read(ref _tokenExpires) - RenewBefore.Ticks)
        {
            await ReauthenticateAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        return connection;
    }

    private async Task<ConnectionMultiplexer> ConnectCoreAsync()
    {
        _configuration = await ConfigurationAsync(CancellationToken.None).ConfigureAwait(false);

        // Without AbortOnConnectFail the multiplexer keeps reconnecting in the background, so a store that was down at
        // startup is used as soon as it is up.
        return await ConnectionMultiplexer.ConnectAsync(_configuration).ConfigureAwait(false);
    }

    private async Task<ConfigurationOptions> ConfigurationAsync(CancellationToken cancellationToken)
    {
        ConfigurationOptions configuration;
        if (_credential is null)
        {
            RedisRateLimitOptionsValidator.TryConnectionString(_options.ConnectionString!, out var parsed, out _);
            configuration = parsed!;
        }
        else
        {
            RedisRateLimitOptionsValidator.TryEndpoint(_options.Endpoint!, out var host, out var port);
            configuration = new ConfigurationOptions { Ssl = true, SslHost = host };
            configuration.EndPoints.Add(host, port);
            await RenewTokenAsync(configuration, cancellationToken).ConfigureAwait(false);
        }

        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2_000);
        configuration.AsyncTimeout = Math.Min(configuration.AsyncTimeout, 1_000);
        configuration.ClientName ??= "FunctionsApiKey";

        // A command sent while disconnected fails at once rather than waiting in a queue: the refiller falls back sooner.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        return configuration;
    }

    /// <summary>A fresh token on the configuration, used by reconnects, and AUTH with it on every open connection.</summary>
    private async Task ReauthenticateAsync(ConnectionMultiplexer connection, CancellationToken cancellationToken)
    {
        await _renewing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_time.GetUtcNow().UtcTicks < Volatile.Read(ref _tokenExpires) - RenewBefore.Ticks)
            {
                return;
            }

            var configuration = _configuration!;
            await RenewTokenAsync(configuration, cancellationToken).ConfigureAwait(false);
            foreach (var server in connection.GetServers())
            {
                await server.ExecuteAsync("AUTH", configuration.User!, configuration.Password!).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _renewing.Release();
        }
    }

    private async Task RenewTokenAsync(ConfigurationOptions configuration, CancellationToken cancellationToken)
    {
        var token = await _credential!.GetTokenAsync(new TokenRequestContext([RedisRateLimitDefaults.TokenScope]), cancellationToken).ConfigureAwait(false);
        configuration.User = EntraToken.ObjectId(token.Token);
        configuration.Password = token.Token;
        Volatile.Write(ref _tokenExpires, token.ExpiresOn.UtcTicks);
    }
}
