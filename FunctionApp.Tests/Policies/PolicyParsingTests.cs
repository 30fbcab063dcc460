using System.Net;
using FunctionApp.Testing;
using FunctionsApiKey;
using FunctionsApiKey.KeySources;
using FunctionsApiKey.KeyVault;
using Microsoft.Extensions.Configuration;

namespace FunctionApp.Tests.Policies;

/// <summary>
/// The built-in policy properties as written in settings and Key Vault tags: each syntax reads to its canonical text,
/// and each malformed value leaves the key out with a message naming the key's setting or tag, never widening it.
/// </summary>
public sealed class PolicyParsingTests
{
    [Theory]
    [InlineData("100/s", 100, 1, 100, "100/s")]
    [InlineData("6000/min", 6000, 60, 6000, "6000/min")]
    [InlineData("50000/hour", 50000, 3600, 50000, "50000/h")]
    [InlineData("1000/day", 1000, 86400, 1000, "1000/day")]
    [InlineData("100/s burst 200", 100, 1, 200, "100/s burst 200")]
    [InlineData("  100/S  BURST  100 ", 100, 1, 100, "100/s")]
    public void ARateLimitReadsAsCountPeriodAndBurst(string text, long count, int periodSeconds, long burst, string canonical)
    {
        Assert.True(ApiKeyPolicies.RateLimit.TryParse(text, out var limit, out var problem), problem);

        Assert.Equal(new ApiKeyRateLimit(count, TimeSpan.FromSeconds(periodSeconds), burst), limit);
        Assert.Equal(canonical, ApiKeyPolicies.RateLimit.Format(limit));
    }

    [Theory]
    [InlineData("1000000/month", 1_000_000, ApiKeyQuotaPeriod.Month, "1000000/month")]
    [InlineData("50000/day", 50_000, ApiKeyQuotaPeriod.Day, "50000/day")]
    [InlineData(" 7/DAY ", 7, ApiKeyQuotaPeriod.Day, "7/day")]
    public void AQuotaReadsAsCountPerCalendarPeriod(string text, long count, ApiKeyQuotaPeriod period, string canonical)
    {
        Assert.True(ApiKeyPolicies.Quota.TryParse(text, out var quota, out var problem), problem);

        Assert.Equal(new ApiKeyQuota(count, period), quota);
        Assert.Equal(canonical, ApiKeyPolicies.Quota.Format(quota));
    }

    [Fact]
    public void AQuotaPeriodIsTheUtcCalendarDayOrMonth()
    {
        var now = new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.FromHours(-5)); // 2027-01-01T04:30Z

        Assert.Equal(new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero), new ApiKeyQuota(1, ApiKeyQuotaPeriod.Day).PeriodEnd(now));
        Assert.Equal(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero), new ApiKeyQuota(1, ApiKeyQuotaPeriod.Month).PeriodEnd(now));
    }

    [Fact]
    public void IpsReadIPv4AndIPv6NetworksAndSingleAddresses()
    {
        Assert.True(ApiKeyPolicies.Ips.TryParse("203.0.113.0/24, 2001:db8::/32 198.51.100.7,203.0.113.0/24", out var networks, out var problem), problem);

        Assert.Equal(["203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32"], networks.Select(n => n.ToString()));
        Assert.True(networks[1].Contains(IPAddress.Parse("2001:db8:ffff::1")));
        Assert.Equal("203.0.113.0/24,2001:db8::/32,198.51.100.7/32", ApiKeyPolicies.Ips.Format(networks));
    }

    [Fact]
    public void TheBuiltInPoliciesAreCritical()
    {
        Assert.All(ApiKeyPolicies.All, p => Assert.True(p.IsCritical, p.Name));
        Assert.Equal(["RateLimit", "Quota", "Ips", "Owner"], ApiKeyPolicies.All.Select(p => p.Name));
    }

    [Theory]
    [InlineData("RateLimit", "100", "does not start with a count of requests from 1 to 1,000,000,000")]
    [InlineData("RateLimit", "0/s", "does not start with a count of requests from 1 to 1,000,000,000")]
    [InlineData("RateLimit", "-5/s", "does not start with a count of requests from 1 to 1,000,000,000")]
    [InlineData("RateLimit", "100/week", "has no period s, min, h or day after the /")]
    [InlineData("RateLimit", "100/s burst", "is not a rate limit")]
    [InlineData("RateLimit", "100/s burst 0", "has a burst that is not a count from 1 to 1,000,000,000")]
    [InlineData("RateLimit", "100/s surge 200", "is not a rate limit")]
    [InlineData("RateLimit", "", "is not a rate limit")]
    [InlineData("Quota", "1000/year", "has no period day or month after the /")]
    [InlineData("Quota", "lots/day", "does not start with a count of requests from 1 to 1,000,000,000")]
    [InlineData("Ips", "", "names no network")]
    [InlineData("Ips", " , ", "names no network")]
    [InlineData("Ips", "10.0.0.1/8", "lists 10.0.0.1/8, which is not an address or a CIDR network")]
    [InlineData("Ips", "203.0.113.0/24, 300.1.1.1", "lists 300.1.1.1, which is not an address or a CIDR network")]
    [InlineData("Ips", "localhost", "lists an entry that is not an address or a CIDR network")]
    [InlineData("Owner", "acme corp", "is not an owner name of 1 to 64 letters, digits, '-', '_' or '.'")]
    [InlineData("Owner", "", "is not an owner name of 1 to 64 letters, digits, '-', '_' or '.'")]
    public void AMalformedPolicySettingLeavesTheKeyOutNamingTheSetting(string property, string text, string problem)
    {
        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), [$"partner:{property}"] = text, ["other"] = TestKeys.NewValue() });

        Assert.Equal(["other"], keys.Select(k => k.Name));
        var error = Assert.Single(errors);
        Assert.StartsWith($"ApiKeys:Keys:partner:{property} {problem}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIpsListLongerThanATagHoldsIsRefused()
    {
        var many = string.Join(',', Enumerable.Range(0, 20).Select(i => $"2001:db8:{i:x}::/48"));

        var (keys, errors) = Read(new() { ["partner"] = TestKeys.NewValue(), ["partner:Ips"] = many });

        Assert.Empty(keys);
        Assert.StartsWith("ApiKeys:Keys:partner:Ips is longer than 255 characters", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsCarryEveryPolicyInCanonicalForm()
    {
        var (keys, errors) = Read(new()
        {
            ["partner"] = TestKeys.NewValue(),
            ["partner:RateLimit"] = "100/S BURST 200",
            ["partner:Quota"] = "1000000/Month",
            ["partner:Ips"] = "203.0.113.0/24 2001:db8::/32",
            ["partner:Owner"] = "acme",
        });

        Assert.Empty(errors);
        var key = Assert.Single(keys);
        Assert.Equal("100/s burst 200", key.Properties["RateLimit"]);
        Assert.Equal("1000000/month", key.Properties["Quota"]);
        Assert.Equal("203.0.113.0/24,2001:db8::/32", key.Properties["Ips"]);
        Assert.Equal("acme", key.Properties["Owner"]);
        Assert.True(key.TryGetProperty(ApiKeyPolicies.RateLimit, out var limit));
        Assert.Equal(200, limit.Burst);
    }

    [Theory]
    [InlineData("ratelimit", "100 per second", "its ratelimit tag is not a rate limit")]
    [InlineData("quota", "5/fortnight", "its quota tag has no period day or month after the /")]
    [InlineData("ips", "10.0.0.1/8", "its ips tag lists 10.0.0.1/8, which is not an address or a CIDR network")]
    [InlineData("owner", "a b", "its owner tag is not an owner name")]
    public void AMalformedPolicyTagLeavesTheVaultKeyOutNamingTheTag(string tag, string text, string problem)
    {
        var reason = KeyVaultKeyLoader.PropertyProblem([KeyValuePair.Create(tag, text)], ApiKeyPolicies.All, out var values);

        Assert.NotNull(reason);
        Assert.StartsWith(problem, reason, StringComparison.Ordinal);
        Assert.Empty(values);
    }

    [Fact]
    public void VaultTagsCarryEveryPolicy()
    {
        var reason = KeyVaultKeyLoader.PropertyProblem(
            [KeyValuePair.Create("RateLimit", "6000/min"), KeyValuePair.Create("quota", "50000/day"), KeyValuePair.Create("ips", "2001:db8::/32"), KeyValuePair.Create("owner", "acme")],
            ApiKeyPolicies.All,
            out var values);

        Assert.Null(reason);
        Assert.Equal("6000/min", values["RateLimit"]);
        Assert.Equal("50000/day", values["Quota"]);
        Assert.Equal("2001:db8::/32", values["Ips"]);
        Assert.Equal("acme", values["Owner"]);
    }

    private static (IReadOnlyList<ApiKey> Keys, IReadOnlyList<string> Errors) Read(Dictionary<string, string?> keys)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(k => KeyValuePair.Create($"{SettingsKeyReader.SectionPath}:{k.Key}", k.Value)))
            .Build();
        return SettingsKeyReader.Read(configuration, ApiKeyPolicies.All);
    }
}
