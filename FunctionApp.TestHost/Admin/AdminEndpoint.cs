using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace FunctionApp.TestHost.Admin;

/// <summary>
/// <c>POST /admin/functions/{name}</c> with a JSON body <c>{"input": "…"}</c>: runs a function now, as the host's
/// <c>FunctionsController.Invoke</c> does. Its answers are the host's (an MVC action with Newtonsoft.Json's input
/// formatter): 202 with no body when the function exists, 404 when it does not, 400 when the body is not a JSON object
/// whose <c>input</c> is a string, number, boolean or null, 415 when the body is not JSON. The host answers 202 before
/// the invocation starts and runs it in the background; this answers once it is queued on the worker's stream, so a
/// caller that gets 202 knows the worker has it, and still does not wait for the function to finish. It skips the
/// listener lease, as the host does: the function runs on the instance that got the request, whichever holds the lease.
/// <para>
/// Keys: in Azure the admin API needs the host's master key (the <c>_master</c> key under Function App → App keys, or
/// <c>az functionapp keys list</c>), sent as <c>x-functions-key: &lt;master key&gt;</c> or <c>?code=&lt;master key&gt;</c>;
/// a function key does not do. This project's API keys (<c>api-key</c>) play no part there. Under func start every
/// caller is admin unless <c>--enableAuth</c>, and the test host likewise asks for no key.
/// </para>
/// </summary>
internal sealed class AdminEndpoint(ManualInvoker invoker, HostLog log, CancellationToken stopping)
{
    private const string Prefix = "/admin/functions/";

    /// <summary>Whether this is a call to run a function: POST to <c>/admin/functions/{name}</c>, with or without a trailing slash, ignoring case.</summary>
    public static bool TryMatch(HttpRequest request, out string name)
    {
        name = string.Empty;
        var path = request.Path.Value ?? string.Empty;
        if (!HttpMethods.IsPost(request.Method) || !path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = path[Prefix.Length..];
        rest = rest.EndsWith('/') ? rest[..^1] : rest;
        if (rest.Length == 0 || rest.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        name = rest;
        return true;
    }

    public async Task HandleAsync(HttpContext context, string name)
    {
        var response = context.Response;
        var (refusal, input) = await ReadInputAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (refusal is { } status)
        {
            response.StatusCode = status;
            return;
        }

        if (await invoker.StartAsync(name, input, stopping).ConfigureAwait(false) is null)
        {
            log.Host($"POST {context.Request.Path} → 404: no function '{name}'.");
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // The result is logged when it comes; nobody waits for it here.
        response.StatusCode = StatusCodes.Status202Accepted;
        response.ContentLength = 0;
    }

    /// <summary>
    /// Reads the body as the host's model binding reads it into its <c>FunctionInvocation</c>: 415 (the framework's
    /// <c>UnsupportedContentTypeFilter</c>) unless the content type is JSON (<c>application/json</c>,
    /// <c>text/json</c> or <c>application/*+json</c>), 400 (the action's <c>BadRequest()</c> on a null model) when the
    /// body is empty, not JSON, not an object, or has an object or array as <c>input</c>. The property's name is matched
    /// ignoring case; a number or boolean is taken as written.
    /// </summary>
    internal static async Task<(int? Refusal, string? Input)> ReadInputAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !IsJson(contentType))
        {
            return (StatusCodes.Status415UnsupportedMediaType, null);
        }

        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return (StatusCodes.Status400BadRequest, null);
        }

        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (StatusCodes.Status400BadRequest, null);
            }

            string? input = null;
            foreach (var property in body.RootElement.EnumerateObject().Where(p => p.Name.Equals("input", StringComparison.OrdinalIgnoreCase)))
            {
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        input = property.Value.GetString();
                        break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                        input = property.Value.GetRawText();
                        break;
                    case JsonValueKind.Null:
                        input = null;
                        break;
                    default:
                        return (StatusCodes.Status400BadRequest, null);
                }
            }

            return (null, input);
        }
    }

    private static bool IsJson(MediaTypeHeaderValue contentType) =>
        contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.MediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
        || (contentType.Type.Equals("application", StringComparison.OrdinalIgnoreCase) && contentType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
