using FunctionApp.Telemetry;

namespace FunctionApp.Tests.Telemetry;

/// <summary><c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c>, read as the Functions host reads it.</summary>
public sealed class ApplicationInsightsAuthenticationTests
{
    [Theory]
    [InlineData("Authorization=AAD;ClientId=0f2a", true, "0f2a")]
    [InlineData(" clientid = 0f2a ; authorization = aad ", true, "0f2a")]
    [InlineData("Authorization=AAD", true, null)]
    [InlineData("Authorization=AAD;ClientId=", true, null)]
    [InlineData("ClientId=0f2a", false, "0f2a")]
    [InlineData("Authorization=Key", false, null)]
    [InlineData("", false, null)]
    [InlineData(null, false, null)]
    public void TheSettingNamesEntraIdAndTheIdentity(string? text, bool entraId, string? clientId) =>
        Assert.Equal(new ApplicationInsightsAuthentication(entraId, clientId), ApplicationInsightsAuthentication.Parse(text));

    [Fact]
    public void WithoutEntraIdTheExporterGetsNoCredential() =>
        Assert.Null(ApplicationInsightsAuthentication.Parse("ClientId=0f2a").CreateCredential());

    [Fact]
    public void WithEntraIdTheExporterGetsAManagedIdentityCredential() =>
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(ApplicationInsightsAuthentication.Parse("Authorization=AAD").CreateCredential());
}
