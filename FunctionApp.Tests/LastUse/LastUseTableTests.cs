using FunctionApp.Tests.Storage;
using FunctionsApiKey.LastUse;
using FunctionsApiKey;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FunctionApp.Tests.LastUse;

/// <summary>
/// The last-use table on Azurite through the real Table client with managed identity tokens: times only move forward,
/// whoever writes them, transactions hold at most 100 writes, and nothing is written that would not move a time.
/// </summary>
public sealed class LastUseTableTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 28, 10, 15, 0, TimeSpan.Zero);

    private readonly string _tableName = "lastuse" + Guid.NewGuid().ToString("N");
    private readonly TableRequestCounter _counter = new();

    [Fact]
    public async Task TheTableIsCreatedByTheFirstWriteAndReadsEmptyBefore()
    {
        var table = Table();

        Assert.Empty(await table.ReadAsync());
        await table.RecordAsync([new KeyLastUse("partner-a", Minute)], CancellationToken.None);

        Assert.Equal(Minute, (await table.ReadAsync())["partner-a"]);
    }

    [Fact]
    public async Task AStoredTimeOnlyEverMovesForward()
    {
        var table = Table();

        await table.RecordAsync([new KeyLastUse("partner-a", Minute.AddMinutes(5))], CancellationToken.None);
        await table.RecordAsync([new KeyLastUse("partner-a", Minute)], CancellationToken.None);
        Assert.Equal(Minute.AddMinutes(5), (await table.ReadAsync())["partner-a"]);

        await table.RecordAsync([new KeyLastUse("partner-a", Minute.AddMinutes(7))], CancellationToken.None);
        Assert.Equal(Minute.AddMinutes(7), (await table.ReadAsync())["partner-a"]);
    }

    [Fact]
    public async Task AnOlderOrEqualTimeReadsTheStoredOneAndWritesNothing()
    {
        var table = Table();
        await table.RecordAsync([new KeyLastUse("partner-a", Minute.AddMinutes(5))], CancellationToken.None);
        var transactions = _counter.Transactions;

        await table.RecordAsync([new KeyLastUse("partner-a", Minute.AddMinutes(5))], CancellationToken.None);
        await table.RecordAsync([new KeyLastUse("partner-a", Minute)], CancellationToken.None);

        Assert.Equal(transactions, _counter.Transactions);
        Assert.Equal(["partner-a"], _counter.Writes);
    }

    [Fact]
    public async Task ManyKeysGoInTransactionsOfAtMostAHundred()
    {
        var table = Table();
        var uses = Enumerable.Range(0, 250).Select(i => new KeyLastUse($"key-{i:D3}", Minute.AddMinutes(i % 7))).ToList();

        await table.RecordAsync(uses, CancellationToken.None);

        Assert.Equal(3, _counter.Transactions);
        Assert.Equal(250, _counter.Writes.Count);
        var stored = await table.ReadAsync();
        Assert.Equal(uses.ToDictionary(u => u.KeyName, u => u.LastUsed), stored);
    }

    [Fact]
    public async Task InstancesWritingAtOnceLeaveEachKeyAtItsLatestTime()
    {
        var instances = Enumerable.Range(0, 4).Select(_ => Table()).ToList();
        var keys = Enumerable.Range(0, 30).Select(i => $"key-{i:D2}").ToList();

        // Each instance saw each key last in a different minute; all write at once, twice over.
        await Task.WhenAll(instances.SelectMany((table, n) => Enumerable.Range(0, 2).Select(_ =>
            table.RecordAsync([.. keys.Select((k, i) => new KeyLastUse(k, Minute.AddMinutes((n + i) % 4)))], CancellationToken.None))));

        var stored = await instances[0].ReadAsync();
        Assert.All(keys, k => Assert.Equal(Minute.AddMinutes(3), stored[k]));
    }

    [Theory]
    [InlineData("partner/a")]
    [InlineData("back\\slash")]
    [InlineData("hash#and?query")]
    [InlineData("100%")]
    [InlineData("%2F")]
    [InlineData("tab\there")]
    public async Task AnyKeyNameReadsBackAsItself(string name)
    {
        var table = Table();

        await table.RecordAsync([new KeyLastUse(name, Minute)], CancellationToken.None);

        Assert.Equal(name, Assert.Single(await table.ReadAsync()).Key);
    }

    [Fact]
    public async Task AKeyNameTooLongForARowKeyIsLeftOutWithOneWarningNamingItAndTheOtherKeysAreWritten()
    {
        var logs = new FakeLogCollector();
        var table = Table(logs);
        var tooLong = new string('k', 1100);

        await table.RecordAsync([new("a", Minute), new("b", Minute), new(tooLong, Minute), new("c", Minute), new("d", Minute)], CancellationToken.None);
        await table.RecordAsync([new(tooLong, Minute.AddMinutes(1)), new("a", Minute.AddMinutes(1))], CancellationToken.None);

        var stored = await table.ReadAsync();
        Assert.Equal(["a", "b", "c", "d"], stored.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Minute.AddMinutes(1), stored["a"]);
        var warning = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "LastUseKeyNotStorable");
        Assert.Equal((19, LogLevel.Warning), (warning.Id.Id, warning.Level));
        Assert.Equal($"The last use of API key {tooLong} is not recorded: as a table row key its name is 1100 characters, over Table Storage's 512; give the key a shorter name", warning.Message);
    }

    [Theory]
    [InlineData('k', 512, true)]
    [InlineData('k', 513, false)]
    [InlineData('#', 170, true)]
    [InlineData('#', 171, false)]
    public async Task ANameIsStoredWhileItsRowKeyWithEscapesIsAtMost512Characters(char letter, int length, bool stored)
    {
        var name = new string(letter, length);
        var table = Table(new FakeLogCollector());

        await table.RecordAsync([new(name, Minute), new("other", Minute)], CancellationToken.None);

        var read = await table.ReadAsync();
        Assert.Equal(stored, read.ContainsKey(name));
        Assert.Equal(Minute, read["other"]);
    }

    private LastUseTable Table(FakeLogCollector? logs = null)
    {
        var client = fixture.Tables(perCall: _counter).GetTableClient(_tableName);
        return logs is null ? new LastUseTable(client) : new LastUseTable(client, FunctionApp.Tests.TestDoubles.TestLogging.Factory(logs).CreateLogger("lastuse"));
    }
}
