using FunctionApp.Tests.Storage;
using FunctionsApiKey;
using FunctionsApiKey.LastUse;

namespace FunctionApp.Tests.Usage;

/// <summary>
/// The usage table on Azurite through the real Table client: an instance's totals replace its own row, so a round
/// written twice counts once; instances add up; quotas read everyone but the asking instance within the period.
/// </summary>
public sealed class UsageTableTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private readonly string _tableName = "usage" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task TheTableReadsEmptyBeforeAnyInstanceWrote()
    {
        var table = Table();

        Assert.Empty(await table.ReadAsync("partner-a", Hour, Hour.AddDays(1)));
        Assert.Empty(await table.ReadTotalsAsync(Hour, Hour.AddDays(1)));
        Assert.Equal(0, await table.CountAllowedAsync(["partner-a"], Hour, Hour.AddDays(1), "a", CancellationToken.None));
    }

    [Fact]
    public async Task ARoundWrittenTwiceCountsOnce()
    {
        var table = Table();
        KeyUsage[] round = [new("partner-a", Hour, 5, 1, 2)];

        await table.RecordAsync("instancea", round, CancellationToken.None);
        await table.RecordAsync("instancea", round, CancellationToken.None);
        await table.RecordAsync("instancea", [new("partner-a", Hour, 7, 1, 2)], CancellationToken.None);

        Assert.Equal([new KeyUsage("partner-a", Hour, 7, 1, 2)], await table.ReadAsync("partner-a", Hour, Hour.AddHours(1)));
    }

    [Fact]
    public async Task InstancesAddUpPerHourAndHoursStaySeparate()
    {
        var table = Table();

        await table.RecordAsync("instancea", [new("partner-a", Hour, 5, 1, 0), new("partner-a", Hour.AddHours(1), 2, 0, 0), new("partner/b", Hour, 9, 0, 0)], CancellationToken.None);
        await table.RecordAsync("instanceb", [new("partner-a", Hour, 3, 0, 4)], CancellationToken.None);

        Assert.Equal(
            [new KeyUsage("partner-a", Hour, 8, 1, 4), new KeyUsage("partner-a", Hour.AddHours(1), 2, 0, 0)],
            await table.ReadAsync("partner-a", Hour.AddHours(-5), Hour.AddHours(5)));
        var totals = await table.ReadTotalsAsync(Hour, Hour.AddHours(1));
        Assert.Equal((8L, 1L, 4L), (totals["partner-a"].Allowed, totals["partner-a"].Denied, totals["partner-a"].OverLimit));
        Assert.Equal(9, totals["partner/b"].Allowed);
    }

    [Fact]
    public async Task AQuotaReadCountsTheOtherInstancesAllowedRequestsInThePeriodOnly()
    {
        var table = Table();
        var day = Hour.Date;
        await table.RecordAsync("instancea", [new("partner-a", Hour, 5, 100, 100), new("partner-b", Hour, 7, 0, 0), new("partner-a", Hour.AddDays(-1), 50, 0, 0)], CancellationToken.None);
        await table.RecordAsync("instanceb", [new("partner-a", Hour.AddHours(3), 11, 0, 0)], CancellationToken.None);

        var start = new DateTimeOffset(day, TimeSpan.Zero);
        Assert.Equal(5 + 7, await table.CountAllowedAsync(["partner-a", "partner-b"], start, start.AddDays(1), "instanceb", CancellationToken.None));
        Assert.Equal(11, await table.CountAllowedAsync(["partner-a"], start, start.AddDays(1), "instancea", CancellationToken.None));
    }

    private UsageTable Table() => new(fixture.Tables().GetTableClient(_tableName));
}
