using System.Text;
using FunctionApp.TestHost.Admin;
using Microsoft.AspNetCore.Http;

namespace FunctionApp.Tests.TestHost;

/// <summary>Which requests run a function through the admin API, and how the host reads their body.</summary>
public sealed class AdminEndpointTests
{
    [Theory]
    [InlineData("POST", "/admin/functions/PublishKeyRing", "PublishKeyRing")]
    [InlineData("post", "/Admin/Functions/publishkeyring/", "publishkeyring")]
    [InlineData("GET", "/admin/functions/PublishKeyRing", null)]
    [InlineData("POST", "/admin/functions/", null)]
    [InlineData("POST", "/admin/functions/a/b", null)]
    [InlineData("POST", "/api/admin/functions/PublishKeyRing", null)]
    public void OnlyAPostToAdminFunctionsNameRunsAFunction(string method, string path, string? name)
    {
        var request = new DefaultHttpContext { Request = { Method = method, Path = path } }.Request;

        Assert.Equal(name is not null, AdminEndpoint.TryMatch(request, out var matched));
        Assert.Equal(name ?? string.Empty, matched);
    }

    [Theory]
    [InlineData("""{"input": "anything"}""", "anything")]
    [InlineData("""{"Input": ""}""", "")]
    [InlineData("""{"input": 5}""", "5")]
    [InlineData("""{"input": true}""", "true")]
    [InlineData("""{"input": null}""", null)]
    [InlineData("""{}""", null)]
    [InlineData("""{"other": 1, "input": "last", }""", "last")]
    public async Task AJsonObjectGivesItsInput(string body, string? input)
    {
        var (refusal, read) = await ReadAsync("application/json", body);

        Assert.Null(refusal);
        Assert.Equal(input, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("\"input\"")]
    [InlineData("""[{"input": "x"}]""")]
    [InlineData("""{"input": {"a": 1}}""")]
    [InlineData("""{"input": ["x"]}""")]
    public async Task AnythingButAJsonObjectWithAScalarInputGets400(string body)
    {
        var (refusal, _) = await ReadAsync("application/json", body);

        Assert.Equal(StatusCodes.Status400BadRequest, refusal);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8", null)]
    [InlineData("text/json", null)]
    [InlineData("application/problem+json", null)]
    [InlineData("text/plain", StatusCodes.Status415UnsupportedMediaType)]
    [InlineData("application/x-www-form-urlencoded", StatusCodes.Status415UnsupportedMediaType)]
    [InlineData(null, StatusCodes.Status415UnsupportedMediaType)]
    public async Task OnlyAJsonContentTypeIsRead(string? contentType, int? refusal)
    {
        var (refused, _) = await ReadAsync(contentType, """{"input": "x"}""");

        Assert.Equal(refusal, refused);
    }

    private static Task<(int? Refusal, string? Input)> ReadAsync(string? contentType, string body)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = "POST";
        request.ContentType = contentType;
        request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return AdminEndpoint.ReadInputAsync(request, CancellationToken.None);
    }
}
