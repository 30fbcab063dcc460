using FunctionsApiKey.KeyRing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The gate in front of every HTTP-triggered function: reads the API-key header, decides, and either runs the
/// function or answers 401, 403 or 503 itself. Other triggers and <see cref="AllowAnonymousAttribute"/> functions
/// pass straight through. A singleton: it keeps no per-request state. Registered only by
/// <c>UseApiKeyAuthentication()</c>, together with everything it needs.
/// </summary>
internal sealed class ApiKeyMiddleware(
    FunctionPolicyCatalog policies,
    KeyRingProvider keyRings,
    IOptions<ApiKeyOptions> options,
    TimeProvider timeProvider,
    ApiKeyMetrics metrics,
    ILoggerFactory loggerFactory) : IFunctionsWorkerMiddleware
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(ApiKeyDefaults.GateLogCategory);
    private readonly ApiKeyOptions _options = options.Value;
    private readonly ProblemResponses _problems = new(options.Value.HeaderName);
    private readonly KeyDenialThrottle _denialLog = new(timeProvider);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var policy = policies.Get(context.FunctionDefinition);
        if (!policy.IsProtected)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // An HTTP function without request data would be a worker misconfiguration: fail closed, loudly.
        var request = await context.GetHttpRequestDataAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Function {policy.FunctionName} is HTTP-triggered but has no HTTP request data.");

        var decision = await DecideAsync(request, policy, context.CancellationToken).ConfigureAwait(false);
        metrics.RecordDecision(decision, policy.FunctionName);

        if (decision.IsAllowed)
        {
            _logger.RequestAllowed(decision.Key!.Name, policy.FunctionName);
            context.SetApiKeyIdentity(decision.Key.Identity);
            await next(context).ConfigureAwait(false);
            return;
        }

        var reason = OutcomeNames.Of(decision.Outcome);
        if (decision.Key is { } key)
        {
            if (_denialLog.ShouldLog(key.Name, out var unlogged))
            {
                _logger.RequestDeniedForKey(policy.FunctionName, key.Name, reason, unlogged);
            }
            else
            {
                _logger.RequestDeniedForKeyAgain(policy.FunctionName, key.Name, reason);
            }
        }
        else
        {
            _logger.RequestDenied(policy.FunctionName, reason);
        }

        SetResponse(context, policy, _problems.Create(request, decision.Outcome));
    }

    private async ValueTask<ApiKeyDecision> DecideAsync(HttpRequestData request, FunctionPolicy policy, CancellationToken cancellationToken)
    {
        var (value, count) = ReadHeader(request.Headers);
        var form = ApiKeyText.CheckPresented(value, count, _options.KeyPrefix);
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
            : ApiKeyValidator.Decide(value!, ring, policy.RequiredScope, now);
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
