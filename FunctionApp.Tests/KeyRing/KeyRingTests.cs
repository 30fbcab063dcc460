using FunctionApp.KeyRing;

namespace FunctionApp.Tests.KeyRing;

public sealed class KeyRingTests
{
    private static readonly DateTimeOffset LoadedAt = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void FindsEveryKeyAndNoOtherAtAnySize(int count)
    {
        var values = Enumerable.Range(0, count).Select(i => $"key-{i:D6}-{TestKeys.NewValue()}").ToList();
        var ring = KeyRingSnapshot.Create(values.Select((v, i) => TestKeys.Create($"k{i}", v)), "test", LoadedAt, out var duplicates);

        Assert.Empty(duplicates);
        Assert.Equal(count, ring.Count);
        for (var i = 0; i < count; i += Math.Max(1, count / 500))
        {
            ApiKeyHash.TryCompute(values[i], out var hash);
            Assert.Equal($"k{i}", ring.Find(hash)?.Name);
        }

        for (var i = 0; i < 200; i++)
        {
            ApiKeyHash.TryCompute(TestKeys.NewValue(), out var unknown);
            Assert.Null(ring.Find(unknown));
        }
    }

    [Fact]
    public void AnEmptyRingFindsNothing()
    {
        var ring = KeyRingSnapshot.Create([], "test", LoadedAt, out _);
        ApiKeyHash.TryCompute(TestKeys.NewValue(), out var hash);

        Assert.Equal(0, ring.Count);
        Assert.Null(ring.Find(hash));
    }

    [Fact]
    public void KeepsTheFirstOfTwoKeysWithTheSameValueAndReportsTheOther()
    {
        var value = TestKeys.NewValue();
        var ring = KeyRingSnapshot.Create([TestKeys.Create("first", value), TestKeys.Create("second", value), TestKeys.Create("other", TestKeys.NewValue())], "test", LoadedAt, out var duplicates);

        ApiKeyHash.TryCompute(value, out var hash);
        Assert.Equal("first", ring.Find(hash)?.Name);
        Assert.Equal(["second"], duplicates);
        Assert.Equal(["first", "other"], ring.Keys.Select(k => k.Name));
    }

    [Fact]
    public void RecordsSourceAndLoadTime()
    {
        var ring = KeyRingSnapshot.Create([TestKeys.Create("a", TestKeys.NewValue())], "keyvault", LoadedAt, out _);

        Assert.Equal("keyvault", ring.Source);
        Assert.Equal(LoadedAt, ring.LoadedAt);
    }
}
