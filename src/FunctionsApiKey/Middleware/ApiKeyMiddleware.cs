using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Policies;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The gate in front of every HTTP-triggered function: reads the API-key header, decides, and either runs the
/// function or answers 401, 403, 429 or 503 itself. Other triggers and <c>[AllowAnonymous]</c> functions pass straight
/// through. It serves both HTTP models of the worker with one decision: the built-in one (<see cref="HttpRequestData"/>
/// over gRPC), and ASP.NET Core integration, where it reads and answers the forwarded request's
/// <see cref="HttpContext"/> and puts the caller on its <c>User</c>. A singleton: it keeps no per-request state.
/// Registered only by <c>UseApiKeyAuthentication()</c>, together with everything it needs.
/// </summary>
internal sealed class ApiKeyMiddleware(
    FunctionPolicyCatalog policies,
    KeyRingProvider keyRings,
    IOptions<ApiKeyOptions> options,
    IOptions<WorkerOptions> workerOptions,
    TimeProvider timeProvider,
    ApiKeyMetrics metrics,
    ILoggerFactory loggerFactory) : IFunctionsWorkerMiddleware
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.GateLogCategory);
    private readonly ApiKeyOptions _options = options.Value;
    private readonly bool _aspNetCore = AspNetCoreIntegration.IsConfigured(workerOptions.Value);
    private readonly ProblemResponses _problems = new(options.Value.HeaderName);
    private readonly KeyDenialLog _denialLog = new(loggerFactory.CreateLogger(ApiKeyDefaults.GateLogCategory), timeProvider);

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var policy = policies.Get(context.FunctionDefinition);
        if (!policy.IsProtected)
        {
            return next(context);
        }

        if (!_aspNetCore)
        {
            return InvokeBuiltInAsync(context, policy, next);
        }

        // The startup check (AspNetCoreIntegrationValidator) stops an app whose gate runs ahead of the integration's
        // proxying middleware; should one slip through, no request passes a gate that cannot see it.
        return AspNetCoreIntegration.TryGetHttpContext(context, out var httpContext)
            ? InvokeAspNetCoreAsync(context, httpContext, policy, next)
            : throw new InvalidOperationException(
                $"Function {policy.FunctionName} is HTTP-triggered under ASP.NET Core integration, but the API-key gate runs before the request reached it: call builder.ConfigureFunctionsWebApplication() before builder.UseApiKeyAuthentication().");
    }

    private async Task InvokeBuiltInAsync(FunctionContext context, FunctionPolicy policy, FunctionExecutionDelegate next)
    {
        // The header from the trigger's binding data when the host sent it; binding the request data costs far more,
        // and only a denial needs the request, to answer it.
        HttpRequestData? request = null;
        if (!TriggerHeaders.TryRead(context, _options.HeaderName, out var value, out var count))
        {
            request = await GetRequestAsync(context, policy).ConfigureAwait(false);
            (value, count) = ReadHeader(request.Headers);
        }

        var client = new BuiltInClientAddress(context, request, _options.TrustedProxyHops);
        var decision = await DecideAsync(value, count, policy, client, context.CancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            context.SetApiKeyIdentity(decision.Key!.Identity);
            await next(context).ConfigureAwait(false);
            return;
        }

        request ??= await GetRequestAsync(context, policy).ConfigureAwait(false);
        SetResponse(context, policy, _problems.Create(request, decision));
    }

    /// <summary>An HTTP function without request data would be a worker misconfiguration: fail closed, loudly.</summary>
    private static async ValueTask<HttpRequestData> GetRequestAsync(FunctionContext context, FunctionPolicy policy) =>
        await context.GetHttpRequestDataAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Function {policy.FunctionName} is HTTP-triggered but has no HTTP request data.");

    private async Task InvokeAspNetCoreAsync(FunctionContext context, HttpContext httpContext, FunctionPolicy policy, FunctionExecutionDelegate next)
    {
        var (value, count) = ReadHeader(httpContext.Request.Headers);
        var client = new AspNetCoreClientAddress(httpContext, _options.TrustedProxyHops);
        var decision = await DecideAsync(value, count, policy, client, context.CancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            var identity = decision.Key!.Identity;
            context.SetApiKeyIdentity(identity);
            httpContext.User = ApiKeyPrincipal.Create(identity);
            await next(context).ConfigureAwait(false);
            return;
        }

        // Not calling next skips the function; the proxying middleware then sends this response as it stands.
        await _problems.WriteAsync(httpContext.Response, decision, httpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Decides on a presented header, and records and logs the decision.</summary>
    private async ValueTask<ApiKeyDecision> DecideAsync<TClient>(string? value, int count, FunctionPolicy policy, TClient client, CancellationToken cancellationToken)
        where TClient : struct, IClientAddress
    {
        var decision = await CheckAsync(value, count, policy, client, cancellationToken).ConfigureAwait(false);
        metrics.RecordDecision(decision, policy.FunctionName);
        if (decision.IsAllowed)
        {
            _logger.RequestAllowed(decision.Key!.Name, policy.FunctionName);
            return decision;
        }

        var reason = OutcomeNames.Of(decision.Outcome);
        if (decision.Key is { } key)
        {
            _denialLog.Denied(policy.FunctionName, key.Name, reason);
        }
        else
        {
            _logger.RequestDenied(policy.FunctionName, reason);
        }

        return decision;
    }

    private async ValueTask<ApiKeyDecision> CheckAsync<TClient>(string? value, int count, FunctionPolicy policy, TClient client, CancellationToken cancellationToken)
        where TClient : struct, IClientAddress
    {
        var form = PresentedKey.Check(value, count, _options.KeyPrefix);
        if (form != ApiKeyOutcome.Allowed)
        {
            return new ApiKeyDecision(form);
        }

        // No ring yet, or one so stale (refreshes failing for MaxKeyRingAge) that revocations may have been missed:
        // either way the keys cannot be trusted, so fail closed.
        var ring = await keyRings.GetAsync(_options.FirstLoadTimeout, cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        return ring is null || ring.IsOlderThan(_options.MaxKeyRingAge, now)
            ? new ApiKeyDecision(ApiKeyOutcome.KeysUnavailable)
            : ApiKeyValidator.Decide(value!, ring, policy.RequiredScope, now, ref client);
    }

    /// <summary>
    /// The raw header value(s). <c>NonValidated</c> reads them as received, without the parsing (and allocation)
    /// of <c>TryGetValues</c>; the validator decides what is acceptable.
    /// </summary>
    private (string? Value, int Count) ReadHeader(HttpHeadersCollection headers)
    {
        if (!headers.NonValidated.TryGetValues(_options.HeaderName, out var values) || values.Count == 0)
        {
            return (null, 0);
        }

        if (values.Count > 1)
        {
            return (null, values.Count);
        }

        foreach (var value in values)
        {
            return (value, 1);
        }

        return (null, 0);
    }

    /// <summary>
    /// The header as the built-in model would present it, so both models decide alike: there the host joins repeated
    /// lines with commas and leaves out empty ones, so <c>api-key:</c> and <c>api-key: K</c> arrive as <c>K</c>, and two
    /// keys arrive as one value with a comma, which no key contains.
    /// </summary>
    private (string? Value, int Count) ReadHeader(IHeaderDictionary headers)
    {
        var values = headers[_options.HeaderName];
        if (values.Count <= 1)
        {
            return (values.Count == 0 ? null : values[0], values.Count);
        }

        string? single = null;
        var present = 0;
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value))
            {
                single = value;
                present++;
            }
        }

        return present switch
        {
            0 => (string.Empty, 1),
            1 => (single, 1),
            _ => (null, present),
        };
    }

    /// <summary>Makes the problem response the invocation's HTTP result, wherever the function declares it.</summary>
    private static void SetResponse(FunctionContext context, FunctionPolicy policy, HttpResponseData response)
    {
        if (policy.HttpOutputBindingName is { } outputName)
        {
            foreach (var binding in context.GetOutputBindings<HttpResponseData>())
            {
                if (binding.Name == outputName)
                {
                    binding.Value = response;
                    return;
                }
            }
        }

        context.GetInvocationResult().Value = response;
    }
}
