using System.Net;
using System.Text.Json;
using FunctionsApiKey.KeyRing;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The gate's RFC 9457 answers. Each body is fixed (built once), so no response carries anything from the request,
/// and every cause of a 401 reads the same: a caller cannot tell an unknown key from an expired or revoked one.
/// </summary>
/// <param name="headerName">The header a caller should send, named in the 401 challenge.</param>
internal sealed class ProblemResponses(string headerName)
{
    public const string ContentType = "application/problem+json";

    /// <summary>The tutorial's wording, for every cause of a 401.</summary>
    public const string UnauthorizedDetail = "Invalid or missing API key";

    /// <summary>Seconds a caller should wait after a 503 while keys load.</summary>
    public const string RetryAfterSeconds = "5";

    private static readonly byte[] UnauthorizedBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2", "Unauthorized", 401, UnauthorizedDetail);

    private static readonly byte[] ForbiddenBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4", "Forbidden", 403, "The API key is not allowed to call this function");

    private static readonly byte[] UnavailableBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4", "Service Unavailable", 503, "API keys are not available yet; retry later");

    private readonly string _challenge = $"ApiKey header=\"{headerName}\"";

    /// <summary>Builds the answer for a denied request.</summary>
    /// <param name="request">The request being answered.</param>
    /// <param name="outcome">Why it was denied; must not be <see cref="ApiKeyOutcome.Allowed"/>.</param>
    public HttpResponseData Create(HttpRequestData request, ApiKeyOutcome outcome)
    {
        var response = request.CreateResponse();
        response.Headers.Add("Content-Type", ContentType);
        response.Headers.Add("Cache-Control", "no-store");

        byte[] body;
        switch (outcome)
        {
            case ApiKeyOutcome.ScopeDenied:
                response.StatusCode = HttpStatusCode.Forbidden;
                body = ForbiddenBody;
                break;
            case ApiKeyOutcome.KeysUnavailable:
                response.StatusCode = HttpStatusCode.ServiceUnavailable;
                response.Headers.Add("Retry-After", RetryAfterSeconds);
                body = UnavailableBody;
                break;
            case ApiKeyOutcome.Allowed:
                throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "An allowed request gets no problem response.");
            default:
                response.StatusCode = HttpStatusCode.Unauthorized;
                response.Headers.Add("WWW-Authenticate", _challenge);
                body = UnauthorizedBody;
                break;
        }

        response.Body.Write(body);
        return response;
    }

    private static byte[] Problem(string type, string title, int status, string detail) =>
        JsonSerializer.SerializeToUtf8Bytes(new ProblemDetails(type, title, status, detail), ProblemDetailsJsonContext.Default.ProblemDetails);
}
