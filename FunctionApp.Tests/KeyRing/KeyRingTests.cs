using FunctionApp.Testing;
using FunctionsApiKey.KeyRing;

namespace FunctionApp.Tests.KeyRing;

public sealed class KeyRingTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void FindsEveryKeyAndNoOtherAtAnySize(int count)
    {
        var values = Enumerable.Range(0, count).Select(i => $"key-{i:D6}-{TestKeys.NewValue()}").ToList();
        var ring = KeyRingSnapshot.Create(values.Select((v, i) => TestKeys.Create($"k{i}", v)), "test", AsOf, out var duplicates);

        Assert.Empty(duplicates);
        Assert.Equal(count, ring.Count);
        for (var i = 0; i < count; i += Math.Max(1, count / 500))
        {
            Assert.Equal($"k{i}", ring.FindKey(TestKeys.Hash(values[i]))?.Name);
        }

        for (var i = 0; i < 200; i++)
        {
            Assert.Null(ring.FindKey(TestKeys.Hash(TestKeys.NewValue())));
        }
    }

    [Fact]
    public void AnEmptyRingFindsNothing()
    {
        var ring = KeyRingSnapshot.Create([], "test", AsOf, out _);
        Assert.Equal(0, ring.Count);
        Assert.Null(ring.FindKey(TestKeys.Hash(TestKeys.NewValue())));
    }

    [Fact]
    public void KeysSharingAValueAreAllRefusedWhateverTheLoadOrderAndReportedTogether()
    {
        var shared = TestKeys.NewValue();
        var expired = TestKeys.Create("aa", shared, expiresOn: AsOf.AddDays(-1));
        var valid = TestKeys.Create("bb", shared);
        var narrow = TestKeys.Create("cc", shared, scopes: ["reports"]);
        var otherValue = TestKeys.NewValue();
        var other = TestKeys.Create("other", otherValue);
        var hash = TestKeys.Hash(shared);

        foreach (var order in new[] { new[] { expired, valid, narrow, other }, [other, narrow, valid, expired], [valid, other, expired, narrow] })
        {
            var ring = KeyRingSnapshot.Create(order, "test", AsOf, out var duplicates);

            Assert.Null(ring.FindKey(hash));
            Assert.Equal(1, ring.Count);
            Assert.Equal(["aa", "bb", "cc"], Assert.Single(duplicates));
            Assert.Equal(ApiKeyOutcome.Unknown, ApiKeyValidator.Decide(shared, ring, "SecureEndpoint", AsOf).Outcome);
            Assert.Equal(ApiKeyOutcome.Allowed, ApiKeyValidator.Decide(otherValue, ring, "SecureEndpoint", AsOf).Outcome);
        }
    }

    [Fact]
    public void RecordsSourceAndLoadTime()
    {
        var ring = KeyRingSnapshot.Create([TestKeys.Create("a", TestKeys.NewValue())], "keyvault", AsOf, out _);

        Assert.Equal("keyvault", ring.Source);
        Assert.Equal(AsOf, ring.AsOf);
    }
}
