using Azure;
using FunctionApp.Testing;
using FunctionApp.Testing.FakeKeyVault;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace FunctionApp.Tests.KeyVault;

/// <summary>The real SecretClient against the local HTTPS fake vault.</summary>
public sealed class KeyVaultApiKeySourceTests : IAsyncLifetime
{
    // The vault's clock starts a little in the past, like secrets created before the app starts.
    private readonly FakeTimeProvider _vaultClock = new(DateTimeOffset.UtcNow.AddMinutes(-10));
    private readonly FakeLogCollector _logs = new();
    private FakeKeyVaultServer _vault = null!;
    private KeyVaultApiKeySource _source = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVaultServer.StartAsync(_vaultClock);
        _source = CreateSource(_vault);
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task LoadsOnlySecretsNamedWithThePrefixWhateverTheirLetterCase()
    {
        var a = TestKeys.NewValue();
        var b = TestKeys.NewValue();
        _vault.SetSecret("apikey-partner-a", a, tags: KeyTags.EveryFunction);
        _vault.SetSecret("APIKEY-partner-b", b, tags: KeyTags.EveryFunction);
        _vault.SetSecret("database-password", TestKeys.NewValue());
        _vault.SetSecret("apikeyless", TestKeys.NewValue());
        _vault.SetSecret("apikey-", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        AdvanceVaultClock();

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(["partner-a", "partner-b"], keys.Select(k => k.Name).Order());
        Assert.True(TestKeys.HasValue(keys.Single(k => k.Name == "partner-a"), a));
        Assert.True(TestKeys.HasValue(keys.Single(k => k.Name == "partner-b"), b));
        Assert.Equal(2, _vault.Requests.Count(r => r.IsValueRequest));
    }

    [Fact]
    public async Task ScopesComeFromTheSpaceSeparatedScopesTag()
    {
        _vault.SetSecret("apikey-reporting", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "reports  SecureEndpoint", ["owner"] = "team-a" });
        _vault.SetSecret("apikey-all", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-typed-in-the-portal", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["Scopes"] = "admin" });

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(["reports", "SecureEndpoint"], keys.Single(k => k.Name == "reporting").Scopes.ToArray());
        Assert.Empty(keys.Single(k => k.Name == "all").Scopes);
        Assert.Equal(["admin"], keys.Single(k => k.Name == "typed-in-the-portal").Scopes.ToArray());
    }

    [Theory]
    [MemberData(nameof(ScopesMisspellings.Names), MemberType = typeof(ScopesMisspellings))]
    public async Task AKeyWhoseScopesTagIsMisspeltIsLeftOutWithAWarningSayingWhatToWrite(string tag)
    {
        _vault.SetSecret("apikey-partner", TestKeys.NewValue(), tags: new Dictionary<string, string> { [tag] = "reports" });
        _vault.SetSecret("apikey-other", TestKeys.NewValue(), tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(["other"], keys.Select(k => k.Name));
        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 31);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Equal(
            "API key partner from keyvault skipped: it has no scopes tag; tag the secret apikey-partner scopes=* to allow every function, or scopes=<names> to limit it",
            warning.Message);
    }

    [Fact]
    public async Task AMisspeltScopesTagWithAnEscapeInItsNameIsLoggedEscapedSoItCannotDriveTheReadersTerminal()
    {
        _vault.SetSecret("apikey-partner", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "reports", ["scope\u001b"] = "orders" });

        Assert.Empty(await _source.LoadKeysAsync());

        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 30);
        Assert.Contains("it has a tag named 'scope\\u001b', which looks like the 'scopes' tag but is not it", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', warning.Message);
    }

    [Fact]
    public async Task AKeyWithNoTagsAtAllIsLeftOutOnceRatherThanAllowedEverything()
    {
        _vault.SetSecret("apikey-untagged", TestKeys.NewValue());
        AdvanceVaultClock();

        Assert.Empty(await _source.LoadKeysAsync());
        Assert.Empty(await _source.LoadKeysAsync());

        Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 31 && r.Message.StartsWith("API key untagged from keyvault skipped: it has no scopes tag;", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData(" * ", true)]
    [InlineData("*,*", true)]
    [InlineData("* reports", false)]
    [InlineData("reports,*", false)]
    public async Task AStarAloneAllowsEveryFunctionAndAStarAmongNamesLeavesTheKeyOut(string scopes, bool allowed)
    {
        _vault.SetSecret("apikey-star", TestKeys.NewValue(), tags: KeyTags.Scopes(scopes));

        var keys = await _source.LoadKeysAsync();

        if (allowed)
        {
            Assert.Empty(Assert.Single(keys).Scopes);
        }
        else
        {
            Assert.Empty(keys);
            Assert.Contains(_logs.GetSnapshot(), r => r.Message == "API key star from keyvault skipped: its scopes tag mixes * with scope names; write scopes=* alone to allow every function, or list only the scopes it may call");
        }
    }

    [Fact]
    public async Task WithKeysWithoutScopesEveryFunctionAnUntaggedKeyAllowsEveryFunctionAndIsNamedOnce()
    {
        // The migration setting: the old meaning of a missing tag, with each key it applies to named.
        var source = CreateSource(_vault, withoutScopes: KeysWithoutScopes.EveryFunction);
        _vault.SetSecret("apikey-legacy", TestKeys.NewValue());
        _vault.SetSecret("apikey-explicit", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-misspelt", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scope"] = "reports" });
        AdvanceVaultClock();

        var first = await source.LoadKeysAsync();
        var second = await source.LoadKeysAsync();

        Assert.Equal(["explicit", "legacy"], first.Select(k => k.Name).Order());
        Assert.All(first, k => Assert.Empty(k.Scopes));
        Assert.Equal(first, second);
        var warning = Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 32);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Equal(
            "API key legacy from keyvault has no scopes tag and may call every function only because ApiKeys:KeysWithoutScopes is EveryFunction; tag the secret apikey-legacy scopes=* to keep that, or scopes=<names> to limit it, before removing the setting",
            warning.Message);

        // A tag that is surely a misspelt scopes tag still leaves its key out: the setting keeps only what was unlimited before.
        Assert.Contains(_logs.GetSnapshot(), r => r.Message.StartsWith("API key misspelt from keyvault skipped: it has a tag named 'scope'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("scopes", "")]
    [InlineData("scopes", "   ")]
    [InlineData("scopes", " , ,")]
    [InlineData("scope", "SecureEndpoint")]
    [InlineData("Scope", "SecureEndpoint")]
    [InlineData("scopes ", "SecureEndpoint")]
    [InlineData(" scopes", "SecureEndpoint")]
    [InlineData("scopes:", "SecureEndpoint")]
    [InlineData("Scopes_", "SecureEndpoint")]
    [InlineData("s-c-o-p-e-s", "SecureEndpoint")]
    [InlineData("scopes1", "SecureEndpoint")]
    [InlineData("SCOPE.S", "SecureEndpoint")]
    public async Task AKeyMeantToBeLimitedIsLeftOutRatherThanAllowedEverything(string tag, string value)
    {
        _vault.SetSecret("apikey-partner", TestKeys.NewValue(), tags: new Dictionary<string, string> { [tag] = value });
        _vault.SetSecret("apikey-other", TestKeys.NewValue(), tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(["other"], keys.Select(k => k.Name));
        Assert.Contains(_logs.GetSnapshot(), r => r.Message.StartsWith("API key partner from keyvault skipped: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoScopesTagsInDifferentLetterCaseLeaveTheKeyOut()
    {
        _vault.SetSecret("apikey-partner", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "reports", ["Scopes"] = "admin" });

        Assert.Empty(await _source.LoadKeysAsync());
        Assert.Contains(_logs.GetSnapshot(), r => r.Message.StartsWith("API key partner from keyvault skipped: it has both a ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScopesSeparatedByCommasOrInAnyCaseAreRead()
    {
        _vault.SetSecret("apikey-partner", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "reports,SecureEndpoint, REPORTS" });

        Assert.Equal(["reports", "SecureEndpoint"], Assert.Single(await _source.LoadKeysAsync()).Scopes.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3600)]
    public async Task AKeyWhoseActivationIsNotBeforeItsExpiryIsLeftOutWithAWarning(int expiryAfterActivation)
    {
        var notBefore = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
        _vault.SetSecret("apikey-never", TestKeys.NewValue(), notBefore: notBefore, expiresOn: notBefore.AddSeconds(expiryAfterActivation), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-fine", TestKeys.NewValue(), notBefore: notBefore, expiresOn: notBefore.AddSeconds(1), tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(["fine"], keys.Select(k => k.Name));
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && r.Message == "API key never from keyvault skipped: its activation date is not before its expiry date, so it could never be used");
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task AValueWithATrailingLineBreakAsAzCliWritesItFromAFileIsTheKeyWithoutIt(string lineBreak)
    {
        var plain = TestKeys.NewValue();
        var hashed = TestKeys.NewValue();
        _vault.SetSecret("apikey-plain", plain + lineBreak, tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-hashed", TestKeys.Sha256Text(hashed) + lineBreak, tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.True(TestKeys.HasValue(keys.Single(k => k.Name == "plain"), plain));
        Assert.True(TestKeys.HasValue(keys.Single(k => k.Name == "hashed"), hashed));
    }

    [Fact]
    public async Task ASha256ValueIsUsedAsTheKeysHashSoThePlaintextIsStoredNowhere()
    {
        var plaintext = TestKeys.NewValue();
        _vault.SetSecret("apikey-hashed", TestKeys.Sha256Text(plaintext), tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.True(TestKeys.HasValue(Assert.Single(keys), plaintext));
    }

    [Fact]
    public async Task ExpiryAndNotBeforeAreLoadedForTheRingToEnforce()
    {
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds());
        var notBefore = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds());
        _vault.SetSecret("apikey-expired", TestKeys.NewValue(), expiresOn: expires, tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-future", TestKeys.NewValue(), notBefore: notBefore, tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(expires, keys.Single(k => k.Name == "expired").ExpiresOn);
        Assert.Equal(notBefore, keys.Single(k => k.Name == "future").NotBefore);
    }

    [Fact]
    public async Task ADisabledSecretNeverSeenEnabledIsLeftOutWithoutFetchingIt()
    {
        _vault.SetSecret("apikey-disabled", TestKeys.NewValue(), enabled: false, tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.Empty(keys);
        Assert.Equal(0, _vault.Requests.Count(r => r.IsValueRequest));
    }

    [Fact]
    public async Task ASecretDisabledAfterLoadingStaysRecognisableAsRevokedAndIsReadAgainWhenReenabled()
    {
        var value = TestKeys.NewValue();
        _vault.SetSecret("apikey-partner", value, tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        await _source.LoadKeysAsync();

        AdvanceVaultClock();
        _vault.DisableSecret("apikey-partner");
        _vault.ClearRequests();
        var revoked = Assert.Single(await _source.LoadKeysAsync());

        Assert.True(revoked.IsRevoked);
        Assert.True(TestKeys.HasValue(revoked, value));
        Assert.Equal(0, _vault.Requests.Count(r => r.IsValueRequest));

        AdvanceVaultClock();
        _vault.UpdateSecret("apikey-partner", v => v with { Enabled = true });
        var restored = Assert.Single(await _source.LoadKeysAsync());
        Assert.False(restored.IsRevoked);
        Assert.Equal(1, _vault.Requests.Count(r => r.IsValueRequest));
    }

    [Fact]
    public async Task FollowsNextLinksThroughEveryPageOfTheListing()
    {
        for (var i = 0; i < 60; i++)
        {
            _vault.SetSecret($"apikey-k{i:D2}", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        }

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(60, keys.Count);
        Assert.Equal(3, _vault.Requests.Count(r => r.IsListRequest));
    }

    [Fact]
    public async Task ARefreshWithNothingChangedFetchesNoValues()
    {
        for (var i = 0; i < 30; i++)
        {
            _vault.SetSecret($"apikey-k{i:D2}", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        }

        AdvanceVaultClock();
        var first = await _source.LoadKeysAsync();
        Assert.Equal(30, _vault.Requests.Count(r => r.IsValueRequest));

        _vault.ClearRequests();
        var second = await _source.LoadKeysAsync();

        Assert.Equal(0, _vault.Requests.Count(r => r.IsValueRequest));
        Assert.Equal(2, _vault.Requests.Count(r => r.IsListRequest));
        Assert.Equal(first.Select(k => k.Name), second.Select(k => k.Name));
    }

    [Fact]
    public async Task ARefreshAfterOneSecretChangedFetchesExactlyThatOne()
    {
        for (var i = 0; i < 30; i++)
        {
            _vault.SetSecret($"apikey-k{i:D2}", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        }

        AdvanceVaultClock();
        await _source.LoadKeysAsync();

        var rotated = TestKeys.NewValue();
        _vault.SetSecret("apikey-k07", rotated, tags: KeyTags.EveryFunction);
        AdvanceVaultClock();
        _vault.ClearRequests();
        var keys = await _source.LoadKeysAsync();

        var valueRequest = Assert.Single(_vault.Requests, r => r.IsValueRequest);
        Assert.Equal("/secrets/apikey-k07", valueRequest.Path);
        Assert.True(TestKeys.HasValue(keys.Single(k => k.Name == "k07"), rotated));
    }

    [Fact]
    public async Task AValueReadInTheSecondOfItsLastUpdateIsReadAgainUntilThatSecondHasPassed()
    {
        _vault.SetSecret("apikey-new", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        await _source.LoadKeysAsync();

        // Same second on the vault's clock: a change now would not move "updated", so the next load reads it again.
        var replaced = TestKeys.NewValue();
        _vault.SetSecret("apikey-new", replaced, tags: KeyTags.EveryFunction);
        _vault.ClearRequests();
        Assert.True(TestKeys.HasValue(Assert.Single(await _source.LoadKeysAsync()), replaced));
        Assert.Equal(1, _vault.Requests.Count(r => r.IsValueRequest));

        AdvanceVaultClock();
        await _source.LoadKeysAsync();
        _vault.ClearRequests();
        await _source.LoadKeysAsync();
        Assert.Equal(0, _vault.Requests.Count(r => r.IsValueRequest));
    }

    [Fact]
    public async Task ThrottlingWithRetryAfterIsRetriedAndTheLoadSucceeds()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.FailNext(2, 429, retryAfter: TimeSpan.Zero);

        var keys = await _source.LoadKeysAsync();

        Assert.Single(keys);
        Assert.Equal(2, _vault.Requests.Count(r => r.Status == 429));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task AVaultThatKeepsFailingFailsTheLoad(int status)
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.StartOutage(status);

        var error = await Assert.ThrowsAsync<ApiKeySourceException>(() => _source.LoadAsync(CancellationToken.None));

        // The cause the key ring logs: what to act on, without the response body.
        Assert.Equal(status, Assert.IsType<RequestFailedException>(error.InnerException).Status);
        Assert.StartsWith($"HTTP {status} ", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, _vault.Requests.Count(r => r.Status == status));
    }

    public static TheoryData<ProxyFault?> NetworkFaults => [null, ProxyFault.Reset, ProxyFault.Hang];

    [Theory]
    [MemberData(nameof(NetworkFaults))]
    public async Task AVaultOutOfReachFailsTheLoadWithASourceFailureNamingTheVaultAfterTheSdksRetries(ProxyFault? fault)
    {
        // null: nothing listens on the port (connection refused). One retry, so the SDK's last word is an AggregateException.
        var value = TestKeys.NewValue();
        _vault.SetSecret("apikey-a", value, tags: KeyTags.EveryFunction);
        await using var proxy = fault is { } f ? new FaultProxy(_vault.Port, f) : null;
        var source = CreateSource(_vault, port: proxy?.Port ?? ClosedLoopbackPort.Next(), maxRetries: 1);

        var error = await Assert.ThrowsAsync<ApiKeySourceException>(() => source.LoadAsync(CancellationToken.None));

        Assert.IsType<AggregateException>(error.InnerException);
        var expected = fault switch
        {
            null => "vault myvault.vault.azure.net unreachable: network error ConnectionRefused",
            ProxyFault.Reset => "vault myvault.vault.azure.net unreachable: ",
            _ => "vault myvault.vault.azure.net unreachable: The operation was cancelled because it exceeded the configured timeout of 0:00:01",
        };
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task TheCallersOwnCancellationIsNotReportedAsAVaultFailure()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        await using var proxy = new FaultProxy(_vault.Port, ProxyFault.Hang);
        var source = CreateSource(_vault, port: proxy.Port, maxRetries: 0);
        using var stopping = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var error = await Record.ExceptionAsync(() => source.LoadAsync(stopping.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    [Fact]
    public async Task AForbiddenValueRequestOtherThanADisabledSecretFailsTheLoad()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.FailNext(1, 403, pathMatches: p => p == "/secrets/apikey-a", code: "ForbiddenByRbac");

        var error = await Assert.ThrowsAsync<ApiKeySourceException>(() => _source.LoadAsync(CancellationToken.None));

        Assert.Equal("HTTP 403 ForbiddenByRbac", error.Message);
    }

    [Fact]
    public async Task ASecretDeletedBetweenListingAndFetchingIsSkipped()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-b", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.FailNext(1, 404, pathMatches: p => p == "/secrets/apikey-b");

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(["a"], keys.Select(k => k.Name));
        Assert.Contains(_logs.GetSnapshot(), r => r.Message == "API key b from keyvault skipped: the secret was deleted while keys were loading");
    }

    [Fact]
    public async Task AnUnusableValueIsSkippedAndLoggedByNameOnly()
    {
        var bad = "not a key, " + TestKeys.NewValue();
        _vault.SetSecret("apikey-bad", bad, tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-good", TestKeys.NewValue(), tags: KeyTags.EveryFunction);

        var keys = await _source.LoadKeysAsync();

        Assert.Equal(["good"], keys.Select(k => k.Name));
        var log = Assert.Single(_logs.GetSnapshot());
        Assert.StartsWith("API key bad from keyvault skipped: the secret's value is not a usable key", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bad[12..], log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeletedSecretLeavesTheRingOnTheNextLoad()
    {
        _vault.SetSecret("apikey-a", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        _vault.SetSecret("apikey-b", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        await _source.LoadKeysAsync();

        _vault.DeleteSecret("apikey-b");

        Assert.Equal(["a"], (await _source.LoadKeysAsync()).Select(k => k.Name));
    }

    [Fact]
    public async Task FetchesValuesInParallelUpToTheConfiguredLimitWhileTheListingGoesOn()
    {
        // Four listing pages at 40 ms each: the fetches for the first page have ~120 ms to start before the
        // last page is answered, enough even on a busy machine.
        for (var i = 0; i < 100; i++)
        {
            _vault.SetSecret($"apikey-k{i:D3}", TestKeys.NewValue(), tags: KeyTags.EveryFunction);
        }

        _vault.Latency = TimeSpan.FromMilliseconds(40);
        var source = CreateSource(_vault, maxParallelFetches: 8);

        var keys = await source.LoadKeysAsync();

        Assert.Equal(100, keys.Count);

        // Eight value requests, plus the next listing page fetched at the same time.
        Assert.InRange(_vault.MaxConcurrentRequests, 2, 9);
        var lastPageAnswered = _vault.Requests.Where(r => r.IsListRequest).Max(r => r.Answered);
        Assert.Contains(_vault.Requests, r => r.IsValueRequest && r.Received < lastPageAnswered);
    }

    [Fact]
    public async Task DeclaredPropertiesComeFromTheirTagsAndAMalformedOneLeavesTheKeyOut()
    {
        var source = CreateSource(_vault, properties: [TestKeyProperties.Tier, TestKeyProperties.Region]);
        _vault.SetSecret("apikey-gold", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "*", ["tier"] = "Gold" });
        _vault.SetSecret("apikey-eu", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "*", ["Region"] = "eu" });
        _vault.SetSecret("apikey-mars", TestKeys.NewValue(), tags: new Dictionary<string, string> { ["scopes"] = "*", ["region"] = "Mars" });

        var keys = await source.LoadKeysAsync();

        Assert.Equal(["eu", "gold"], keys.Select(k => k.Name).Order());
        Assert.True(keys.Single(k => k.Name == "gold").TryGetProperty(TestKeyProperties.Tier, out var tier));
        Assert.Equal("gold", tier);
        Assert.True(keys.Single(k => k.Name == "eu").TryGetProperty(TestKeyProperties.Region, out var region));
        Assert.Equal("EU", region);
        Assert.False(keys.Single(k => k.Name == "eu").TryGetProperty(TestKeyProperties.Tier, out _));
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == 30 && r.Message == "API key mars from keyvault skipped: its region tag is not EU or US");
    }

    private KeyVaultApiKeySource CreateSource(FakeKeyVaultServer vault, int maxParallelFetches = 16, KeysWithoutScopes withoutScopes = KeysWithoutScopes.Refuse, int? port = null, int maxRetries = 3, ApiKeyProperty[]? properties = null) =>
        new(new KeyVaultKeyLoader(FakeKeyVaultClient.Create(vault, maxRetries, port: port), new KeyVaultApiKeyOptions { KeyVaultUri = FakeKeyVaultClient.VaultUri, MaxParallelFetches = maxParallelFetches, KeysWithoutScopes = withoutScopes }, TestLogging.Factory(_logs).CreateLogger(KeyVaultApiKeyDefaults.LogCategory), properties ?? []));

    private void AdvanceVaultClock() => _vaultClock.Advance(TimeSpan.FromSeconds(2));
}
