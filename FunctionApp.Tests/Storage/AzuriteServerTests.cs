using System.Net;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Tests.Storage;

/// <summary>
/// Azurite must behave as the storage account will for the key ring and the last-use times, through the real Blob and
/// Table clients with managed identity tokens, or the storage tests prove nothing: bearer tokens really checked, ETags
/// honoured, and the shared-key connection string of local development working too.
/// </summary>
public sealed class AzuriteServerTests(AzuriteFixture fixture) : IClassFixture<AzuriteFixture>
{
    private readonly string _container = "ring-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task ABlobUploadedWithAManagedIdentityTokenDownloadsUnchanged()
    {
        var tokensBefore = fixture.Identity.TokensIssuedFor(FakeManagedIdentityEndpoint.StorageResource);
        var blob = await NewBlobAsync(fixture.Blobs(), "signed key ring v1");

        var downloaded = (await blob.DownloadContentAsync()).Value;

        Assert.Equal("signed key ring v1", downloaded.Content.ToString());
        Assert.True(fixture.Identity.TokensIssuedFor(FakeManagedIdentityEndpoint.StorageResource) > tokensBefore);
        Assert.Equal(0, fixture.Identity.Refused);
    }

    [Fact]
    public async Task AConditionalGetWithTheCurrentETagAnswers304WithNoBody()
    {
        var blob = await NewBlobAsync(fixture.Blobs(), "ring");
        var etag = (await blob.GetPropertiesAsync()).Value.ETag;
        var ifChanged = new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = etag } };

        // A download does not throw on 304: the response has no value (reading Value would throw). Properties do throw.
        var notModified = await blob.DownloadContentAsync(ifChanged);
        var notModifiedProperties = await Assert.ThrowsAsync<RequestFailedException>(() => blob.GetPropertiesAsync(ifChanged.Conditions));

        Assert.Equal(304, notModified.GetRawResponse().Status);
        Assert.False(notModified.HasValue);
        Assert.Equal((304, "ConditionNotMet"), (notModifiedProperties.Status, notModifiedProperties.ErrorCode));
        await blob.UploadAsync(BinaryData.FromString("ring v2"), overwrite: true);
        var changed = await blob.DownloadContentAsync(ifChanged);
        Assert.Equal(200, changed.GetRawResponse().Status);
        Assert.Equal("ring v2", changed.Value.Content.ToString());
        Assert.NotEqual(etag, changed.Value.Details.ETag);
    }

    [Fact]
    public async Task AnUploadIfMatchingAStaleETagFails412AndChangesNothing()
    {
        var blob = await NewBlobAsync(fixture.Blobs(), "ring v1");
        var stale = (await blob.GetPropertiesAsync()).Value.ETag;
        await blob.UploadAsync(BinaryData.FromString("ring v2 from another instance"), overwrite: true);

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() =>
            blob.UploadAsync(BinaryData.FromString("ring v2 from this instance"), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = stale } }));

        Assert.Equal(412, conflict.Status);
        Assert.Equal("ConditionNotMet", conflict.ErrorCode);
        Assert.Equal("ring v2 from another instance", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task TableEntitiesAreInsertedOnceUpsertedAndQueried()
    {
        var table = fixture.Tables().GetTableClient("lastuse" + Guid.NewGuid().ToString("N"));
        await table.CreateAsync();
        var first = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        await table.AddEntityAsync(new TableEntity("keys", "key-a") { ["LastUsed"] = first });
        var duplicate = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("keys", "key-a")));
        await table.UpsertEntityAsync(new TableEntity("keys", "key-a") { ["LastUsed"] = first.AddMinutes(5) }, TableUpdateMode.Replace);
        await table.UpsertEntityAsync(new TableEntity("keys", "key-b") { ["LastUsed"] = first });
        await table.UpsertEntityAsync(new TableEntity("other", "key-c") { ["LastUsed"] = first });

        Assert.Equal(409, duplicate.Status);
        Assert.Equal("EntityAlreadyExists", duplicate.ErrorCode);
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == "keys"))
        {
            rows.Add(row);
        }

        Assert.Equal(["key-a", "key-b"], rows.Select(r => r.RowKey).Order());
        Assert.Equal(first.AddMinutes(5), rows.Single(r => r.RowKey == "key-a").GetDateTimeOffset("LastUsed"));
    }

    [Fact]
    public async Task ATableUpdateIfMatchingAStaleETagFails412()
    {
        var table = fixture.Tables().GetTableClient("lastuse" + Guid.NewGuid().ToString("N"));
        await table.CreateAsync();
        var stale = (await table.AddEntityAsync(new TableEntity("keys", "key-a") { ["Count"] = 1 })).Headers.ETag!.Value;
        await table.UpdateEntityAsync(new TableEntity("keys", "key-a") { ["Count"] = 2 }, ETag.All);

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() =>
            table.UpdateEntityAsync(new TableEntity("keys", "key-a") { ["Count"] = 3 }, stale));

        Assert.Equal(412, conflict.Status);
        Assert.Equal(2, (await table.GetEntityAsync<TableEntity>("keys", "key-a")).Value.GetInt32("Count"));
    }

    [Fact]
    public async Task ARequestWithoutATokenIsRefused()
    {
        var blob = await NewBlobAsync(fixture.Blobs(), "private ring");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = TestCertificate.Pinned(fixture.Azurite.Certificate) } });
        using var request = new HttpRequestMessage(HttpMethod.Get, blob.Uri) { Headers = { { "x-ms-version", "2025-11-05" } } };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("<Code>AuthorizationFailure</Code>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("private ring", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://vault.azure.net", 0, "Invalid token audience.")]
    [InlineData("https://otheraccount.blob.core.windows.net", 0, "Invalid token audience.")]
    [InlineData(FakeManagedIdentityEndpoint.StorageResource, 3, "Lifetime validation failed. The token is expired.")]
    public async Task ATokenForAnotherAudienceOrExpiredIsRefusedByBlobAndTable(string audience, int issuedHoursAgo, string detail)
    {
        // The client is told the token is fresh, so it sends it; only Azurite's own checks can refuse it.
        var now = DateTimeOffset.UtcNow;
        var token = new AccessToken(FakeEntraToken.Create(audience, now.AddHours(-issuedHoursAgo), TimeSpan.FromHours(1)), now.AddHours(1));
        var credential = DelegatedTokenCredential.Create((_, _) => token);

        var blob = await Assert.ThrowsAsync<RequestFailedException>(() => fixture.Blobs(credential).GetBlobContainerClient(_container).CreateAsync());
        var table = await Assert.ThrowsAsync<RequestFailedException>(() => fixture.Tables(credential).CreateTableAsync("refused" + Guid.NewGuid().ToString("N")));

        Assert.Equal((403, "AuthenticationFailed"), (blob.Status, blob.ErrorCode));
        Assert.Contains(detail, blob.Message, StringComparison.Ordinal);

        // Azurite's Table service sends this error as XML without x-ms-error-code, so TableClient finds no ErrorCode.
        Assert.Equal(403, table.Status);
        Assert.Contains($"<AuthenticationErrorDetail>{detail}</AuthenticationErrorDetail>", table.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        Assert.False(await fixture.Blobs().GetBlobContainerClient(_container).ExistsAsync());
    }

    [Fact]
    public async Task TheSharedKeyConnectionStringReachesTheSameAccount()
    {
        await NewBlobAsync(fixture.Blobs(), "written by identity");
        var byKey = fixture.Azurite.BlobsByAccountKey();
        var tables = fixture.Azurite.TablesByAccountKey();

        var read = (await byKey.GetBlobContainerClient(_container).GetBlobClient("keyring.json").DownloadContentAsync()).Value;
        var table = tables.GetTableClient("bykey" + Guid.NewGuid().ToString("N"));
        await table.CreateAsync();
        await table.UpsertEntityAsync(new TableEntity("keys", "key-a") { ["Count"] = 7 });

        Assert.Equal("written by identity", read.Content.ToString());
        Assert.Equal(7, (await fixture.Tables().GetTableClient(table.Name).GetEntityAsync<TableEntity>("keys", "key-a")).Value.GetInt32("Count"));
    }

    private async Task<BlobClient> NewBlobAsync(BlobServiceClient service, string content)
    {
        var container = service.GetBlobContainerClient(_container);
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("keyring.json");
        await blob.UploadAsync(BinaryData.FromString(content), overwrite: true);
        return blob;
    }
}
