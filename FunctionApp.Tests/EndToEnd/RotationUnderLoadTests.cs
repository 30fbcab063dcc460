using System.Collections.Concurrent;
using System.Diagnostics;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using Xunit.Abstractions;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// 16 clients call the secure endpoint for 10 seconds while keys are added, disabled and expire in the vault. Every
/// answer must be right for the key ring in force when the request was made: before a change, the old answer;
/// once a refresh has certainly picked it up, the new one; in between (one interval plus a load), either.
/// No answer may be a 5xx and no request may go unanswered.
/// </summary>
public sealed class RotationUnderLoadTests(RefreshingVaultWorkerFixture worker, ITestOutputHelper output) : IClassFixture<RefreshingVaultWorkerFixture>
{
    private const int Clients = 16;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    /// <summary>A change is certainly in force this long after it was made: refresh interval (1 s) + load + margin.</summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task EveryAnswerMatchesTheKeyRingInForceWhileKeysRotate()
    {
        Assert.Equal(200, await worker.CallUntilAsync(worker.StableKey, 200, TimeSpan.FromSeconds(10)));
        var expiresOn = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(8).ToUnixTimeSeconds());
        var keys = new[]
        {
            new TrackedKey("stable", worker.StableKey),
            new TrackedKey("expiring", TestKeys.NewValue()),
            new TrackedKey("added-at-2s", TestKeys.NewValue()) { AddedAt = TimeSpan.MaxValue },
            new TrackedKey("added-at-5s", TestKeys.NewValue()) { AddedAt = TimeSpan.MaxValue },
            new TrackedKey("disabled-at-3s", TestKeys.NewValue()),
            new TrackedKey("disabled-at-6s", TestKeys.NewValue()),
            new TrackedKey("never-issued", TestKeys.NewValue()) { AddedAt = TimeSpan.MaxValue },
        };
        worker.Vault.SetSecret("apikey-rot-expiring", keys[1].Value, expiresOn: expiresOn, tags: KeyTags.EveryFunction);
        worker.Vault.SetSecret("apikey-rot-disabled-at-3s", keys[4].Value, tags: KeyTags.EveryFunction);
        worker.Vault.SetSecret("apikey-rot-disabled-at-6s", keys[5].Value, tags: KeyTags.EveryFunction);
        foreach (var key in keys.Where(k => k.AddedAt == TimeSpan.Zero && k.Name != "stable"))
        {
            Assert.Equal(200, await worker.CallUntilAsync(key.Value, 200, TimeSpan.FromSeconds(10)));
        }

        // Times below are offsets from the start of the load; the expiry (set in the vault as a date) is one too.
        var clock = Stopwatch.StartNew();
        keys[1].ExpiresAt = expiresOn - DateTimeOffset.UtcNow;
        var results = new ConcurrentQueue<Result>();
        var failures = new ConcurrentQueue<string>();
        var sent = 0;

        var changes = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            keys[2].AddedAt = clock.Elapsed;
            worker.Vault.SetSecret("apikey-rot-added-at-2s", keys[2].Value, tags: KeyTags.EveryFunction);
            await Task.Delay(TimeSpan.FromSeconds(1));
            worker.Vault.DisableSecret("apikey-rot-disabled-at-3s");
            keys[4].DisabledAt = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(2));
            keys[3].AddedAt = clock.Elapsed;
            worker.Vault.SetSecret("apikey-rot-added-at-5s", TestKeys.Sha256Text(keys[3].Value), tags: new Dictionary<string, string> { ["scopes"] = "SecureEndpoint" });
            await Task.Delay(TimeSpan.FromSeconds(1));
            worker.Vault.DisableSecret("apikey-rot-disabled-at-6s");
            keys[5].DisabledAt = clock.Elapsed;
        });

        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (var i = client; clock.Elapsed < Duration; i++)
            {
                var key = keys[i % keys.Length];
                Interlocked.Increment(ref sent);
                var start = clock.Elapsed;
                try
                {
                    var status = await worker.CallAsync(key.Value);
                    results.Enqueue(new Result(key, start, clock.Elapsed, status));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"{key.Name} at {start}: {ex.Message}");
                }
            }
        })).ToArray();

        await Task.WhenAll([.. clients, changes]);

        output.WriteLine($"{results.Count} requests in {Duration.TotalSeconds:F0} s from {Clients} clients ({results.Count / Duration.TotalSeconds:F0} requests/s); statuses: "
            + string.Join(", ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}")));
        Assert.Empty(failures);
        Assert.Equal(sent, results.Count);
        Assert.DoesNotContain(results, r => r.Status >= 500);
        var wrong = results.Where(r => !r.IsRightForTheRingInForce(Propagation)).Take(10).ToList();
        Assert.True(wrong.Count == 0, "Wrong answers:\n" + string.Join('\n', wrong));
        foreach (var key in keys)
        {
            Assert.Contains(results, r => r.Key.Name == key.Name);
        }
    }

    private sealed record TrackedKey(string Name, string Value)
    {
        public TimeSpan AddedAt { get; set; } = TimeSpan.Zero;

        public TimeSpan DisabledAt { get; set; } = TimeSpan.MaxValue;

        public TimeSpan ExpiresAt { get; set; } = TimeSpan.MaxValue;
    }

    private sealed record Result(TrackedKey Key, TimeSpan Sent, TimeSpan Answered, int Status)
    {
        public bool IsRightForTheRingInForce(TimeSpan propagation)
        {
            var key = Key;

            // Expiry is checked on each request against the clock, so only a request in flight across it may go either way.
            if (Sent >= key.ExpiresAt)
            {
                return Status == 401;
            }

            var expiredInFlight = Answered >= key.ExpiresAt;
            var addedForSure = Sent >= Plus(key.AddedAt, propagation);
            var notYetAdded = Answered < key.AddedAt;
            var disabledForSure = Sent >= Plus(key.DisabledAt, propagation);
            var notYetDisabled = Answered < key.DisabledAt;

            if (notYetAdded || disabledForSure)
            {
                return Status == 401;
            }

            if (addedForSure && notYetDisabled && !expiredInFlight)
            {
                return Status == 200;
            }

            return Status is 200 or 401;
        }

        private static TimeSpan Plus(TimeSpan at, TimeSpan delta) => at == TimeSpan.MaxValue ? at : at + delta;
    }
}
