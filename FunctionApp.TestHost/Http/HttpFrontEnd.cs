using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace FunctionApp.TestHost.Http;

/// <summary>
/// Turns HTTP requests into invocations and the worker's answers back into responses, as the Functions host does
/// for an isolated worker: headers lower-cased and comma-joined into <c>nullable_headers</c>, an absolute URL that
/// carries the query, the body as bytes. Kestrel's default request limits stay in place.
/// </summary>
internal sealed class HttpFrontEnd(RouteTable routes, WorkerChannel channel, HostSettings settings, HostLog log)
{
    private static readonly byte[] HomePage = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html><html><head><title>Your Functions 4.0 app is up and running</title></head><body><h1>Your Functions 4.0 app is up and running</h1></body></html>");

    public static async Task<WebApplication> StartAsync(int port, HttpFrontEnd frontEnd)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.Run(frontEnd.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var function = routes.Match(request.Path, request.Method, out var routeValues);
        if (function is null)
        {
            await AnswerUnroutedAsync(context).ConfigureAwait(false);
            return;
        }

        StreamingMessage answer;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(settings.FunctionTimeout);
        try
        {
            var invocation = await CreateInvocationAsync(context, function, routeValues).ConfigureAwait(false);
            answer = await channel.RequestAsync(invocation, timeout.Token).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException ex)
        {
            log.Host($"{request.Method} {request.Path} → 503: {ex.Message}");
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (OperationCanceledException)
        {
            // Like the host past host.json's functionTimeout: the caller gets a 500, and the log says why.
            log.Host($"{function.Name} timed out after {settings.FunctionTimeout} (host.json functionTimeout)");
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        await WriteResponseAsync(context, function, answer.InvocationResponse).ConfigureAwait(false);
    }

    /// <summary>No function matched: the host's home page answers <c>/</c>; anything else is a bare 404.</summary>
    private async Task AnswerUnroutedAsync(HttpContext context)
    {
        var response = context.Response;
        if (context.Request.Path != "/")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (settings.HomepageDisabled)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html";
        response.ContentLength = HomePage.Length;
        await response.Body.WriteAsync(HomePage, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<StreamingMessage> CreateInvocationAsync(HttpContext context, HttpFunction function, RouteValueDictionary routeValues)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);

        var http = new RpcHttp
        {
            Method = request.Method,
            Url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}",
            Body = new TypedData { Bytes = ByteString.CopyFrom(body.GetBuffer(), 0, (int)body.Length) },
        };
        foreach (var (name, values) in request.Headers)
        {
            http.NullableHeaders[name.ToLowerInvariant()] = new NullableString { Value = values.ToString() };
        }

        foreach (var (name, values) in request.Query)
        {
            http.NullableQuery[name] = new NullableString { Value = values.ToString() };
        }

        var invocation = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            InputData = { new ParameterBinding { Name = function.TriggerParameter, Data = new TypedData { Http = http } } },
            TraceContext = new RpcTraceContext(),
        };
        foreach (var (name, value) in routeValues)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            http.NullableParams[name] = new NullableString { Value = text };
            invocation.TriggerMetadata[name] = new TypedData { String = text };
        }

        invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(http.NullableQuery.ToDictionary(q => q.Key, q => q.Value.Value)) };
        invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(http.NullableHeaders.ToDictionary(h => h.Key, h => h.Value.Value)) };
        return new StreamingMessage { InvocationRequest = invocation };
    }

    private async Task WriteResponseAsync(HttpContext context, HttpFunction function, InvocationResponse? invocation)
    {
        var response = context.Response;
        if (invocation?.Result?.Status != StatusResult.Types.Status.Success)
        {
            // The host answers a failed invocation with a bare 500, and logs why.
            log.Host($"{function.Name} failed: {invocation?.Result?.Exception?.Message ?? "no result"}");
            response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var http = invocation.ReturnValue?.Http ?? invocation.OutputData.Select(o => o.Data?.Http).FirstOrDefault(h => h is not null);
        if (http is null)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        response.StatusCode = int.TryParse(http.StatusCode, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : StatusCodes.Status200OK;
        foreach (var (name, value) in http.Headers)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers.Append(name, value);
            }
        }

        var body = http.Body switch
        {
            { DataCase: TypedData.DataOneofCase.Bytes } b => b.Bytes.Memory,
            { DataCase: TypedData.DataOneofCase.Stream } s => s.Stream.Memory,
            { DataCase: TypedData.DataOneofCase.String } s => Encoding.UTF8.GetBytes(s.String),
            { DataCase: TypedData.DataOneofCase.Json } j => Encoding.UTF8.GetBytes(j.Json),
            _ => ReadOnlyMemory<byte>.Empty,
        };
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
