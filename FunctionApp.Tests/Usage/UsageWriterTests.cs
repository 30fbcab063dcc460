using Azure.Data.Tables;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.Storage;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Policies;
using FunctionsApiKey.Usage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.Usage;

/// <summary>
/// Request counts taken by the real gate, written by the real writer on a fake clock to the real table on Azurite:
/// counted by outcome and hour; two instances sharing a quota refuse once their counts together reach it; the quota
/// starts again with the period; and with storage down each instance goes on counting its own, warned about once.
/// </summary>
public sealed class UsageWriterTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 10, 15, 30, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly string _tableName = "usage" + Guid.NewGuid().ToString("N");
    private readonly string _partner = TestKeys.NewValue();
    private readonly string _narrow = TestKeys.NewValue();

    [Fact]
    public async Task EachRequestIsCountedOnceByOutcomeAndHour()
    {
        var a = Instance(Table());
        Decide(a, _partner, 3);
        Decide(a, _narrow, 2);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal([ApiKeyOutcome.Allowed, ApiKeyOutcome.Allowed, ApiKeyOutcome.QuotaExceeded], Decide(a, _partner, 3));

        await a.Writer.RoundAsync(CancellationToken.None);
        await a.Writer.RoundAsync(CancellationToken.None);

        var hour = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(
            [new KeyUsage("partner", hour, 3, 0, 0), new KeyUsage("partner", hour.AddHours(1), 2, 0, 1)],
            await Table().ReadAsync("partner", hour, hour.AddDays(1)));
        Assert.Equal([new KeyUsage("narrow", hour, 0, 2, 0)], await Table().ReadAsync("narrow", hour, hour.AddDays(1)));
        Assert.Empty(a.Recorder.Changes());
    }

    [Fact]
    public async Task TwoInstancesSharingAQuotaRefuseOnceTheirCountsTogetherReachIt()
    {
        var a = Instance(Table());
        var b = Instance(Table());

        Assert.All(Decide(a, _partner, 5), o => Assert.Equal(ApiKeyOutcome.Allowed, o));
        await a.Writer.RoundAsync(CancellationToken.None);
        await b.Writer.RoundAsync(CancellationToken.None);

        // The quota is 5/day: instance b learned of a's 5 and admits nothing more.
        Assert.Equal([ApiKeyOutcome.QuotaExceeded], Decide(b, _partner, 1));
        await b.Writer.RoundAsync(CancellationToken.None);
        await a.Writer.RoundAsync(CancellationToken.None);
        Assert.Equal([ApiKeyOutcome.QuotaExceeded], Decide(a, _partner, 1));
    }

    [Fact]
    public async Task EachInstanceAdmitsOnlyWhatTheOthersLeft()
    {
        var a = Instance(Table());
        var b = Instance(Table());

        Assert.All(Decide(a, _partner, 3), o => Assert.Equal(ApiKeyOutcome.Allowed, o));
        await a.Writer.RoundAsync(CancellationToken.None);
        await b.Writer.RoundAsync(CancellationToken.None);

        Assert.Equal([ApiKeyOutcome.Allowed, ApiKeyOutcome.Allowed, ApiKeyOutcome.QuotaExceeded], Decide(b, _partner, 3));
    }

    [Fact]
    public async Task AnOwnersQuotaSumsEveryKeyOfTheOwnerAcrossInstances()
    {
        var first = TestKeys.NewValue();
        var second = TestKeys.NewValue();
        ApiKey[] keys = [PolicyKeys.Create("acme-1", first, ("Owner", "Acme"), ("Quota", "5/day")), PolicyKeys.Create("acme-2", second, ("Owner", "acme"))];
        var a = Instance(Table(), keys: keys);
        var b = Instance(Table(), keys: keys);

        Assert.All(Decide(a, first, 3), o => Assert.Equal(ApiKeyOutcome.Allowed, o));
        await a.Writer.RoundAsync(CancellationToken.None);
        await b.Writer.RoundAsync(CancellationToken.None);

        // b uses the owner's other key: a's 3 through acme-1 count against it.
        Assert.Equal([ApiKeyOutcome.Allowed, ApiKeyOutcome.Allowed, ApiKeyOutcome.QuotaExceeded], Decide(b, second, 3));
    }

    [Fact]
    public async Task TheQuotaStartsAgainWithTheNextUtcDay()
    {
        var a = Instance(Table());
        var b = Instance(Table());
        Decide(a, _partner, 5);
        await a.Writer.RoundAsync(CancellationToken.None);
        await b.Writer.RoundAsync(CancellationToken.None);
        Assert.Equal([ApiKeyOutcome.QuotaExceeded], Decide(b, _partner, 1));

        // Midnight passes before b's next round: yesterday's shared count must not carry into today.
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 29, 0, 0, 10, TimeSpan.Zero));
        Assert.All(Decide(b, _partner, 3), o => Assert.Equal(ApiKeyOutcome.Allowed, o));
        await b.Writer.RoundAsync(CancellationToken.None);
        await a.Writer.RoundAsync(CancellationToken.None);
        Assert.Equal([ApiKeyOutcome.Allowed, ApiKeyOutcome.Allowed, ApiKeyOutcome.QuotaExceeded], Decide(a, _partner, 3));
    }

    [Fact]
    public async Task WithStorageDownEachInstanceCountsItsOwnWarnsOnceAndKeepsTheCounts()
    {
        var logs = new FakeLogCollector();
        var unreachable = new UsageTable(new TableServiceClient(new Uri("https://127.0.0.1:1/devstoreaccount1"), new IdentityEndpointCredential(fixture.Identity), new TableClientOptions { Retry = { MaxRetries = 0 } }).GetTableClient(_tableName));
        var a = Instance(unreachable, logs);

        Assert.All(Decide(a, _partner, 5), o => Assert.Equal(ApiKeyOutcome.Allowed, o));
        await a.Writer.RoundAsync(CancellationToken.None);
        await a.Writer.RoundAsync(CancellationToken.None);
        Assert.Equal([ApiKeyOutcome.QuotaExceeded], Decide(a, _partner, 1));

        var lines = logs.GetSnapshot().Where(l => l.Id.Id is 22 or 23).ToList();
        Assert.Equal([(22, LogLevel.Warning), (23, LogLevel.Debug)], lines.Select(l => (l.Id.Id, l.Level)));
        Assert.StartsWith("Writing the request counts of 1 key-hours, or reading", lines[0].Message, StringComparison.Ordinal);
        var hour = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal([new KeyUsage("partner", hour, 5, 0, 1)], a.Recorder.Changes());
    }

    [Fact]
    public async Task CountsKeptThroughAnOutageAcrossAnHourAreWrittenOnceWhenStorageReturns()
    {
        var unreachable = new UsageTable(new TableServiceClient(new Uri("https://127.0.0.1:1/devstoreaccount1"), new IdentityEndpointCredential(fixture.Identity), new TableClientOptions { Retry = { MaxRetries = 0 } }).GetTableClient(_tableName));
        var down = Instance(unreachable);
        Decide(down, _partner, 2);
        await down.Writer.RoundAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(1));
        Decide(down, _narrow, 1);
        await down.Writer.RoundAsync(CancellationToken.None);

        // Storage is back: the same instance's counts, through a writer that reaches the table, twice.
        var back = new UsageWriter(down.Recorder, Table(), _clock, TestLogging.Factory(new FakeLogCollector()));
        await back.RoundAsync(CancellationToken.None);
        await back.RoundAsync(CancellationToken.None);

        var hour = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal([new KeyUsage("partner", hour, 2, 0, 0)], await Table().ReadAsync("partner", hour, hour.AddDays(1)));
        Assert.Equal([new KeyUsage("narrow", hour.AddHours(1), 0, 1, 0)], await Table().ReadAsync("narrow", hour, hour.AddDays(1)));
        Assert.Empty(down.Recorder.Changes());
    }

    [Fact]
    public async Task StoppingWritesTheLastCounts()
    {
        var a = Instance(Table());
        await a.Writer.StartAsync(CancellationToken.None);
        Decide(a, _partner, 2);

        await a.Writer.StopAsync(CancellationToken.None);

        var hour = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal([new KeyUsage("partner", hour, 2, 0, 0)], await Table().ReadAsync("partner", hour, hour.AddHours(1)));
    }

    private ApiKeyOutcome[] Decide((KeyRingSnapshot Ring, UsageRecorder Recorder, UsageWriter Writer) instance, string value, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => ApiKeyValidator.Decide(value, instance.Ring, "SecureEndpoint", _clock.GetUtcNow()).Outcome)];

    private (KeyRingSnapshot Ring, UsageRecorder Recorder, UsageWriter Writer) Instance(IUsageStore store, FakeLogCollector? logs = null, ApiKey[]? keys = null)
    {
        var factory = TestLogging.Factory(logs ?? new FakeLogCollector());
        var book = new PolicyBook(factory);
        var recorder = new UsageRecorder();
        var ring = KeyRingSnapshot.Create(
            keys ?? [PolicyKeys.Create("partner", _partner, ("Quota", "5/day")), TestKeys.Create("narrow", _narrow, scopes: ["Other"])],
            "test", Start, lastUse: null, recorder, book, out _);
        return (ring, recorder, new UsageWriter(recorder, store, _clock, factory, book));
    }

    private UsageTable Table() => new(fixture.Tables().GetTableClient(_tableName));
}
