using System.Net;
using FunctionApp.Testing;
using FunctionApp.Testing.Redis;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// Two real FunctionApp workers under the test host, sharing one key's rate limit through a real Redis-protocol server
/// (Garnet): together they admit the limit once, then answer 429 with Retry-After and the RateLimit fields.
/// </summary>
public sealed class RedisRateLimitEndToEndTests(RedisWorkerFixture worker) : IClassFixture<RedisWorkerFixture>
{
    [Fact]
    public async Task TwoInstancesSharingRedisAdmitTheLimitOnceBetweenThem()
    {
        await using var second = await worker.StartInstanceAsync();

        // Each instance counts alone until its first take from Redis answers (100 ms after its key ring loads).
        await Task.Delay(TimeSpan.FromSeconds(2));
        var allowed = 0;
        HttpResponseMessage? refused = null;
        for (var round = 0; round < 12; round++)
        {
            foreach (var client in new[] { worker.Client, second.Client })
            {
                using var request = SecureEndpoint.Request(worker.Shared);
                var response = await client.SendAsync(request);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"Answered {(int)response.StatusCode}.");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    allowed++;
                    response.Dispose();
                }
                else
                {
                    refused?.Dispose();
                    refused = response;
                }
            }

            // A round of the refillers, so an instance that ran out has asked Redis again.
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        // 4 a minute with a burst of 4: one more comes back every 15 s, so the test's few seconds add at most one. Each
        // instance alone would have admitted 4, together 8. Budget one instance still holds unspent, or dropped as
        // idle, is not admitted by the other: the bound is on the low side by what instances hold.
        Assert.InRange(allowed, 3, 5);
        using (refused)
        {
            Assert.NotNull(refused);
            Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 15);
            Assert.Equal("\"rate\";q=4;w=60", Assert.Single(refused.Headers.GetValues("RateLimit-Policy")));
        }

        Assert.DoesNotContain(worker.Log.Lines.Concat(second.Log.Lines), l => l.Contains("rate-limit store did not answer", StringComparison.Ordinal));
    }
}

/// <summary>A FunctionApp worker whose one key has a rate limit shared through a Garnet server the fixture starts.</summary>
public sealed class RedisWorkerFixture : WorkerFixture
{
    private GarnetRedisServer? _server;

    public string Shared { get; } = TestKeys.NewValue();

    protected override Task BeforeStartAsync()
    {
        _server = GarnetRedisServer.Started();
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            _server?.Dispose();
        }
    }

    protected override Dictionary<string, string?> Environment() => new()
    {
        ["ApiKeys__Keys__local-dev"] = null,
        ["ApiKeys__Keys__shared"] = Shared,
        ["ApiKeys__Keys__shared__RateLimit"] = "4/min",
        ["ApiKeys__Redis__ConnectionString"] = _server!.ConnectionString,
        ["AzureWebJobsDisableHomepage"] = "true",
    };
}
