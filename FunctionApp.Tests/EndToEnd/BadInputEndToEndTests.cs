using System.Security.Cryptography;
using System.Text;
using FunctionApp.Testing;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>
/// Malformed and hostile requests, sent as raw bytes to the real worker under the test host. Each gets the answer
/// FunctionApp.TestHost/README.md documents; none gets a 5xx, and no response or log line contains the key.
/// </summary>
public sealed class BadInputEndToEndTests(SettingsWorkerFixture worker) : IClassFixture<SettingsWorkerFixture>
{
    /// <summary>Case name → (raw request with {KEY} for the valid key, expected status; 0 means no response at all).</summary>
    public static TheoryData<string> Cases => [.. Matrix.Keys];

    private static readonly Dictionary<string, (string Request, int Status)> Matrix = new()
    {
        ["no header"] = (Get(""), 401),
        ["empty value"] = (Get("api-key:\r\n"), 401),
        ["whitespace-only value"] = (Get("api-key:    \t \r\n"), 401),
        ["padded value (HTTP strips OWS)"] = (Get("api-key:   {KEY}  \t\r\n"), 200),
        ["value in upper case"] = (Get("api-key: {KEY_UPPER}\r\n"), 401),
        ["value in lower case"] = (Get("api-key: {KEY_LOWER}\r\n"), 401),
        ["value one character short"] = (Get("api-key: {KEY_SHORT}\r\n"), 401),
        ["value with a trailing comma"] = (Get("api-key: {KEY},\r\n"), 401),
        ["value with an inner space"] = (Get("api-key: {KEY} x\r\n"), 401),
        ["header name in upper case"] = (Get("API-KEY: {KEY}\r\n"), 200),
        ["header name in mixed case"] = (Get("Api-Key: {KEY}\r\n"), 200),
        ["header twice, same key"] = (Get("api-key: {KEY}\r\napi-key: {KEY}\r\n"), 401),
        ["header twice, wrong then valid"] = (Get("api-key: wrong\r\napi-key: {KEY}\r\n"), 401),

        // The host joins repeated headers with StringValues.ToString(), which skips empty values: the worker sees one key.
        ["header twice, empty then valid"] = (Get("api-key:\r\napi-key: {KEY}\r\n"), 200),
        ["header twice in different case"] = (Get("api-key: {KEY}\r\nAPI-KEY: {KEY}\r\n"), 401),
        ["513-character value"] = (Get($"api-key: {new string('k', 513)}\r\n"), 401),
        ["10 KB value"] = (Get($"api-key: {new string('k', 10 * 1024)}\r\n"), 401),
        ["100 KB value (Kestrel's header limit)"] = (Get($"api-key: {new string('k', 100 * 1024)}\r\n"), 431),
        ["UTF-8 non-ASCII value"] = (Get("api-key: caf\u00c3\u00a9-{KEY}\r\n"), 401),
        ["invalid UTF-8 byte"] = (Get("api-key: caf\u00e9\r\n"), 400),
        ["control character 0x01"] = (Get("api-key: {KEY}\u0001\r\n"), 401),
        ["DEL character"] = (Get("api-key: {KEY}\u007f\r\n"), 401),
        ["NUL character"] = (Get("api-key: {KEY}\u0000\r\n"), 400),
        ["tab inside the value"] = (Get("api-key: {KEY}\tx\r\n"), 401),
        ["obsolete line folding"] = (Get("api-key: {KEY}\r\n folded\r\n"), 400),
        ["space before the colon"] = (Get("api-key : {KEY}\r\n"), 400),
        ["key in the query string"] = (Get("", "/secure-endpoint?api-key={KEY}"), 401),
        ["key in ?code="] = (Get("", "/secure-endpoint?code={KEY}"), 401),
        ["key in x-api-key"] = (Get("x-api-key: {KEY}\r\n"), 401),
        ["key as Authorization: Bearer"] = (Get("Authorization: Bearer {KEY}\r\n"), 401),
        ["key as Authorization: ApiKey"] = (Get("Authorization: ApiKey {KEY}\r\n"), 401),
        ["key in a cookie"] = (Get("Cookie: api-key={KEY}\r\n"), 401),
        ["the key's sha256: form as the value"] = (Get("api-key: {KEY_SHA256}\r\n"), 401),
        ["HEAD to the secure endpoint"] = (Get("api-key: {KEY}\r\n", method: "HEAD"), 404),
        ["POST to the secure endpoint"] = (Get("api-key: {KEY}\r\nContent-Length: 2\r\n", method: "POST", body: "{}"), 404),
        ["DELETE to the secure endpoint"] = (Get("api-key: {KEY}\r\n", method: "DELETE"), 404),
        ["POST to the root (home page disabled)"] = (Get("Content-Length: 0\r\n", "/", "POST"), 204),
        ["HEAD to the root (home page disabled)"] = (Get("", "/", "HEAD"), 204),
        ["unknown route"] = (Get("api-key: {KEY}\r\n", "/admin"), 404),
        ["the /api prefix that is not used"] = (Get("api-key: {KEY}\r\n", "/api/secure-endpoint"), 404),
        ["route in other letter case"] = (Get("api-key: {KEY}\r\n", "/SECURE-ENDPOINT"), 200),
        ["route with a trailing slash"] = (Get("api-key: {KEY}\r\n", "/secure-endpoint/"), 200),
        ["HTTP/1.0 request"] = ("GET /secure-endpoint HTTP/1.0\r\napi-key: {KEY}\r\n\r\n", 200),
        ["HTTP/1.1 without Host"] = ("GET /secure-endpoint HTTP/1.1\r\napi-key: {KEY}\r\nConnection: close\r\n\r\n", 400),
        ["10 KB URL"] = (Get("", "/secure-endpoint?x=" + new string('a', 10 * 1024)), 414),
        ["request truncated in a header"] = ("GET /secure-endpoint HTTP/1.1\r\nHost: localhost\r\napi-ke", 0),
        ["request truncated in the request line"] = ("GET /secure-en", 0),
        ["TLS handshake sent to the HTTP port"] = ("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", 0),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachBadInputGetsItsDocumentedAnswerAndNeverA5xx(string name)
    {
        var (template, expected) = Matrix[name];
        var request = template
            .Replace("{KEY_UPPER}", worker.Key.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{KEY_LOWER}", worker.Key.ToLowerInvariant(), StringComparison.Ordinal)
            .Replace("{KEY_SHORT}", worker.Key[..^1], StringComparison.Ordinal)
            .Replace("{KEY_SHA256}", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(worker.Key))), StringComparison.Ordinal)
            .Replace("{KEY}", worker.Key, StringComparison.Ordinal);

        var response = await RawHttp.SendAsync(worker.BaseAddress, request, closeAfterSend: expected == 0);

        if (expected == 0)
        {
            Assert.True(response is null || response.Status is >= 400 and < 500, $"Expected no answer or a 4xx, got {response?.Status}");
        }
        else
        {
            Assert.NotNull(response);
            Assert.Equal(expected, response.Status);
            if (expected == 401)
            {
                Assert.Equal("ApiKey header=\"api-key\"", response.Headers["WWW-Authenticate"]);
                Assert.Contains("\"detail\":\"Invalid or missing API key\"", response.Body, StringComparison.Ordinal);
            }
        }

        Assert.DoesNotContain(worker.Key, response?.Raw ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoLogLineContainsTheKeyAfterTheMatrix()
    {
        foreach (var name in Matrix.Keys)
        {
            await EachBadInputGetsItsDocumentedAnswerAndNeverA5xx(name);
        }

        Assert.NotEmpty(worker.Log.Lines);
        for (var i = 0; i + 8 <= worker.Key.Length; i++)
        {
            var part = worker.Key.Substring(i, 8);
            Assert.DoesNotContain(worker.Log.Lines, line => line.Contains(part, StringComparison.Ordinal));
        }
    }

    private static string Get(string headers, string path = "/secure-endpoint", string method = "GET", string body = "") =>
        $"{method} {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n{body}";
}
