using System.Globalization;
using System.Net;
using System.Text.Json;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker.Http;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The gate's RFC 9457 answers, written the same way into either HTTP model: the built-in model's
/// <see cref="HttpResponseData"/>, or ASP.NET Core integration's <see cref="HttpResponse"/>. Each body is fixed (built
/// once), so no response carries anything from the request, and every cause of a 401 reads the same: a caller cannot
/// tell an unknown key from an expired or revoked one. A 429 also carries <c>Retry-After</c> and the
/// <c>RateLimit-Policy</c> and <c>RateLimit</c> fields of draft-ietf-httpapi-ratelimit-headers-10, naming the policy
/// (<c>rate</c> or <c>quota</c>) that refused the request, its limit and when it allows the next one.
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

    private const string RateLimitPolicyHeader = "RateLimit-Policy";

    private const string RateLimitHeader = "RateLimit";

    private static readonly byte[] UnauthorizedBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2", "Unauthorized", 401, UnauthorizedDetail);

    private static readonly byte[] ForbiddenBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4", "Forbidden", 403, "The API key is not allowed to call this function");

    private static readonly byte[] UnavailableBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4", "Service Unavailable", 503, "API keys are not available yet; retry later");

    private static readonly byte[] AddressDeniedBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4", "Forbidden", 403, "The API key may not be used from this address");

    private static readonly byte[] RateLimitedBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc6585#section-4", "Too Many Requests", 429, "The API key is over its rate limit; retry after the time in Retry-After");

    private static readonly byte[] QuotaExceededBody = Problem(
        "https://www.rfc-editor.org/rfc/rfc6585#section-4", "Too Many Requests", 429, "The API key has used up its quota for this period; it starts again after the time in Retry-After");

    private readonly string _challenge = $"ApiKey header=\"{headerName}\"";

    /// <summary>Builds the built-in model's answer for a denied request.</summary>
    /// <param name="request">The request being answered.</param>
    /// <param name="decision">Why it was denied; must not be allowed.</param>
    public HttpResponseData Create(HttpRequestData request, in ApiKeyDecision decision)
    {
        var (status, body, challenge, retryAfter) = Select(decision);
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

        if (RateLimitFields(decision.Verdict) is var (policyField, limitField))
        {
            response.Headers.Add(RateLimitPolicyHeader, policyField);
            response.Headers.Add(RateLimitHeader, limitField);
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
    /// <param name="decision">Why it was denied; must not be allowed.</param>
    /// <param name="cancellationToken">The caller went away.</param>
    public Task WriteAsync(HttpResponse response, ApiKeyDecision decision, CancellationToken cancellationToken)
    {
        var (status, body, challenge, retryAfter) = Select(decision);
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

        if (RateLimitFields(decision.Verdict) is var (policyField, limitField))
        {
            headers[RateLimitPolicyHeader] = policyField;
            headers[RateLimitHeader] = limitField;
        }

        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }

    private (HttpStatusCode Status, byte[] Body, string? Challenge, string? RetryAfter) Select(in ApiKeyDecision decision) => decision.Outcome switch
    {
        ApiKeyOutcome.ScopeDenied => (HttpStatusCode.Forbidden, ForbiddenBody, null, null),
        ApiKeyOutcome.AddressDenied => (HttpStatusCode.Forbidden, AddressDeniedBody, null, null),
        ApiKeyOutcome.RateLimited => (HttpStatusCode.TooManyRequests, RateLimitedBody, null, Seconds(decision.Verdict.RetryAfterSeconds)),
        ApiKeyOutcome.QuotaExceeded => (HttpStatusCode.TooManyRequests, QuotaExceededBody, null, Seconds(decision.Verdict.RetryAfterSeconds)),
        ApiKeyOutcome.KeysUnavailable => (HttpStatusCode.ServiceUnavailable, UnavailableBody, null, RetryAfterSeconds),
        ApiKeyOutcome.Allowed => throw new ArgumentOutOfRangeException(nameof(decision), decision.Outcome, "An allowed request gets no problem response."),
        _ => (HttpStatusCode.Unauthorized, UnauthorizedBody, _challenge, null),
    };

    /// <summary>
    /// The draft's two fields for the refusing policy: <c>"rate";q=100;w=1</c> (with <c>apikey-burst</c> when the burst
    /// differs from the count) and <c>"rate";r=0;t=3</c>. Null for answers no policy gave.
    /// </summary>
    private static (string Policy, string Limit)? RateLimitFields(in PolicyVerdict verdict)
    {
        if (verdict.PolicyName is not { } name)
        {
            return null;
        }

        var burst = verdict.Burst > 0 ? string.Create(CultureInfo.InvariantCulture, $";apikey-burst={verdict.Burst}") : string.Empty;
        return (
            string.Create(CultureInfo.InvariantCulture, $"\"{name}\";q={verdict.Quota};w={verdict.WindowSeconds}{burst}"),
            string.Create(CultureInfo.InvariantCulture, $"\"{name}\";r=0;t={verdict.RetryAfterSeconds}"));
    }

    private static string Seconds(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    private static byte[] Problem(string type, string title, int status, string detail) =>
        JsonSerializer.SerializeToUtf8Bytes(new ProblemDetails(type, title, status, detail), ProblemDetailsJsonContext.Default.ProblemDetails);
}
