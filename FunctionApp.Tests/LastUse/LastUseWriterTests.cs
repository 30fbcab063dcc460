using Azure.Data.Tables;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Usage;
using FunctionsApiKey;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.LastUse;

/// <summary>
/// The gate's notes of use, written by the real writer on a fake clock to the real table on Azurite, with every
/// request counted: at most one write per key per minute per instance, nothing when nothing changed, a last round when
/// the app stops, and a failing store warned about once.
/// </summary>
public sealed class LastUseWriterTests : IClassFixture<AzuriteFixture>
{
    private readonly AzuriteFixture _fixture;

    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 15, 30, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly LastUseRecorder _recorder = new();
    private readonly TableRequestCounter _counter;
    private readonly FakeLogCollector _logs = new();
    private readonly string _tableName = "lastuse" + Guid.NewGuid().ToString("N");
    private readonly string _busy = TestKeys.NewValue();
    private readonly string _idle = TestKeys.NewValue();

    public LastUseWriterTests(AzuriteFixture fixture)
    {
        _fixture = fixture;
        _counter = new TableRequestCounter(_clock);
    }

    [Fact]
    public async Task AKeyUsedThousandsOfTimesIsWrittenAtMostOncePerMinute()
    {
        var ring = Ring();
        using var writer = Writer(Table());
        await writer.StartAsync(CancellationToken.None);

        // Three rounds of 1,000 requests spread over 50 s each; the clock moves on until the writer has written.
        for (var round = 1; round <= 3; round++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                Assert.Equal(ApiKeyOutcome.Allowed, ApiKeyValidator.Decide(_busy, ring, "SecureEndpoint", _clock.GetUtcNow()).Outcome);
                _clock.Advance(TimeSpan.FromMilliseconds(50));
            }

            var lastUse = _clock.GetUtcNow().AddMilliseconds(-50);
            await AdvanceUntilAsync(async () => (await Table().ReadAsync()).GetValueOrDefault("busy") == Minute(lastUse));
        }

        var elapsedMinutes = (_clock.GetUtcNow() - Start).TotalMinutes;
        Assert.All(_counter.Writes, row => Assert.Equal("busy", row));
        Assert.InRange(_counter.Writes.Count, 3, (int)elapsedMinutes + 1);
        Assert.All(_counter.TransactionTimes.Zip(_counter.TransactionTimes.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMinutes(1), $"Writes at {pair.First:T} and {pair.Second:T}"));
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AMinuteWithoutUseSendsNothingAtAll()
    {
        var ring = Ring();
        using var writer = Writer(Table());
        await writer.StartAsync(CancellationToken.None);
        ApiKeyValidator.Decide(_busy, ring, "SecureEndpoint", _clock.GetUtcNow());
        await AdvanceUntilAsync(() => Task.FromResult(_counter.Transactions == 1));
        var queries = _counter.Queries;

        for (var second = 0; second < 180; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        Assert.Equal(queries, _counter.Queries);
        Assert.Equal(1, _counter.Transactions);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StoppingWritesWhatTheLastMinuteSaw()
    {
        var ring = Ring();
        using var writer = Writer(Table());
        await writer.StartAsync(CancellationToken.None);

        ApiKeyValidator.Decide(_idle, ring, "SecureEndpoint", _clock.GetUtcNow());
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(Minute(Start), (await Table().ReadAsync())["idle"]);
    }

    [Fact]
    public async Task AFailingStoreIsWarnedAboutOnceAndTheTimesWaitForTheNextRound()
    {
        var ring = Ring();
        var unreachable = new LastUseTable(new TableServiceClient(new Uri("https://127.0.0.1:1/devstoreaccount1"), new IdentityEndpointCredential(_fixture.Identity), new TableClientOptions { Retry = { MaxRetries = 0 } }).GetTableClient(_tableName));
        using var writer = Writer(unreachable);
        ApiKeyValidator.Decide(_busy, ring, "SecureEndpoint", _clock.GetUtcNow());

        await writer.WriteAsync(CancellationToken.None);
        await writer.WriteAsync(CancellationToken.None);

        var lines = _logs.GetSnapshot().Where(l => l.Id.Id is 16 or 17).ToList();
        Assert.Equal([(16, LogLevel.Warning), (17, LogLevel.Debug)], lines.Select(l => (l.Id.Id, l.Level)));
        Assert.StartsWith("Writing the last use of 1 API keys failed (RequestFailedException:", lines[0].Message, StringComparison.Ordinal);
        Assert.Equal([new KeyLastUse("busy", Minute(Start))], _recorder.Changes());
    }

    private KeyRingSnapshot Ring() => KeyRingSnapshot.Create(
        [TestKeys.Create("busy", _busy), TestKeys.Create("idle", _idle)], "test", Start, _recorder, out _);

    private LastUseTable Table()
    {
        return new LastUseTable(_fixture.Tables(perCall: _counter).GetTableClient(_tableName));
    }

    private LastUseWriter Writer(ILastUseStore store) => new(_recorder, store, _clock, TestLogging.Factory(_logs));

    private static DateTimeOffset Minute(DateTimeOffset time) => new(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, TimeSpan.Zero);

    /// <summary>Moves the clock a second at a time, letting the writer run, until the condition holds (at most 3 minutes).</summary>
    private async Task AdvanceUntilAsync(Func<Task<bool>> condition)
    {
        for (var second = 0; second < 180; second++)
        {
            if (await condition())
            {
                return;
            }

            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
        }

        Assert.Fail("The writer did not write within 3 minutes of the fake clock.");
    }
}
