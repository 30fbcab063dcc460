using System.Net;
using System.Text.Json;
using FunctionsApiKey.KeyRing;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The gate's RFC 9457 answers, written the same way into either HTTP model: the built-in model's
/// <see cref="HttpResponseData"/>, or ASP.NET Core integration's <see cref="HttpResponse"/>. Each body is fixed (built
/// once), so no response carries anything from the request, and every cause of a 401 reads the same: a caller cannot
/// tell an unknown key from an expired or revoked one.
/// </summary>
/// <param name="headerName">The header a caller should send, named in the 401 challenge.</param>
internal sealed class ProblemResponses(string headerName)
{
    public const string ContentType = "application/problem+json";

    /// <summary>The tutorial's wording, for every cause of a 401.</summary>
    public const string UnauthorizedDetail = "Invalid or missing API key";

    /// <summary>Seconds a caller should wait after a 503 while keys load.</summary>
    public const string RetryAfterSeconds = "5";

    private const string NoStore = "no-store";

    private static readonly byte[] UnauthorizedBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2", "Unauthorized", 401, UnauthorizedDetail);

    private static readonly byte[] ForbiddenBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4", "Forbidden", 403, "The API key is not allowed to call this function");

    private static readonly byte[] UnavailableBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4", "Service Unavailable", 503, "API keys are not available yet; retry later");

    private readonly string _challenge = $"ApiKey header=\"{headerName}\"";

    /// <summary>Builds the built-in model's answer for a denied request.</summary>
    /// <param name="request">The request being answered.</param>
    /// <param name="outcome">Why it was denied; must not be <see cref="ApiKeyOutcome.Allowed"/>.</param>
    public HttpResponseData Create(HttpRequestData request, ApiKeyOutcome outcome)
    {
        var (status, body, challenge, retryAfter) = Select(outcome);
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", ContentType);
        response.Headers.Add("Cache-Control", NoStore);
        if (challenge is not null)
        {
            response.Headers.Add("WWW-Authenticate", challenge);
        }

        if (retryAfter is not null)
        {
            response.Headers.Add("Retry-After", retryAfter);
        }

        // The built-in model buffers the body in memory, so a synchronous write blocks on nothing.
        response.Body.Write(body);
        return response;
    }

    /// <summary>
    /// Writes the answer for a denied request straight to ASP.NET Core's response, which the worker sends as it is:
    /// headers first, then the body asynchronously, as ASP.NET Core allows no synchronous writes.
    /// </summary>
    /// <param name="response">The response of the invocation's <see cref="HttpContext"/>.</param>
    /// <param name="outcome">Why it was denied; must not be <see cref="ApiKeyOutcome.Allowed"/>.</param>
    /// <param name="cancellationToken">The caller went away.</param>
    public Task WriteAsync(HttpResponse response, ApiKeyOutcome outcome, CancellationToken cancellationToken)
    {
        var (status, body, challenge, retryAfter) = Select(outcome);
        response.StatusCode = (int)status;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        var headers = response.Headers;
        headers.CacheControl = NoStore;
        if (challenge is not null)
        {
            headers.WWWAuthenticate = challenge;
        }

        if (retryAfter is not null)
        {
            headers.RetryAfter = retryAfter;
        }

        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }

    private (HttpStatusCode Status, byte[] Body, string? Challenge, string? RetryAfter) Select(ApiKeyOutcome outcome) => outcome switch
    {
        ApiKeyOutcome.ScopeDenied => (HttpStatusCode.Forbidden, ForbiddenBody, null, null),
        ApiKeyOutcome.KeysUnavailable => (HttpStatusCode.ServiceUnavailable, UnavailableBody, null, RetryAfterSeconds),
        ApiKeyOutcome.Allowed => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "An allowed request gets no problem response."),
        _ => (HttpStatusCode.Unauthorized, UnauthorizedBody, _challenge, null),
    };

    private static byte[] Problem(string type, string title, int status, string detail) =>
        JsonSerializer.SerializeToUtf8Bytes(new ProblemDetails(type, title, status, detail), ProblemDetailsJsonContext.Default.ProblemDetails);
}
