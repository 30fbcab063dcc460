using System.Text.Json;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost.Routing;

/// <summary>
/// An HTTP-triggered function as the host routes to it: its id, the name of its trigger parameter, its methods and
/// its route template, built as the host's <c>WebJobsRouteBuilder</c> builds it: <c>{routePrefix}/{route}</c> when the
/// prefix is not empty, the route alone otherwise, and nothing trimmed. An empty or whitespace route is the function name.
/// </summary>
public sealed class HttpFunction
{
    private HttpFunction(string name, string functionId, string triggerParameter, IReadOnlySet<string>? methods, string route, string template)
    {
        Name = name;
        FunctionId = functionId;
        TriggerParameter = triggerParameter;
        Methods = methods;
        Route = route;
        Template = template;
    }

    public string Name { get; }

    public string FunctionId { get; }

    /// <summary>The name of the trigger binding, e.g. <c>request</c>: the invocation's input is bound to it.</summary>
    public string TriggerParameter { get; }

    /// <summary>
    /// The methods the function accepts as its metadata lists them; null for any method. Requests match them ignoring
    /// case, as the host's <c>HttpMethodRouteConstraint</c> does.
    /// </summary>
    public IReadOnlySet<string>? Methods { get; }

    /// <summary>The route without the prefix: the metadata's route as written, or the function name when that is empty.</summary>
    public string Route { get; }

    /// <summary>The full route template as the host builds it, e.g. <c>api/secure-endpoint</c>, or <c>/</c> for the site root.</summary>
    public string Template { get; }

    /// <summary>Reads the HTTP trigger from a function's metadata; null for other triggers.</summary>
    internal static HttpFunction? FromMetadata(RpcFunctionMetadata metadata, string routePrefix)
    {
        if (TriggerBinding.Of(metadata) is not { } trigger || !trigger.Is("httpTrigger"))
        {
            return null;
        }

        // The host's ScriptHost.ValidateHttpFunction: a null, empty or whitespace route is the function name.
        var binding = trigger.Binding;
        var route = binding.TryGetProperty("route", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (string.IsNullOrWhiteSpace(route))
        {
            route = metadata.Name;
        }

        IReadOnlySet<string>? methods = binding.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array && m.GetArrayLength() > 0
            ? m.EnumerateArray().Select(x => x.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : null;
        var template = routePrefix.Length == 0 ? route : routePrefix + "/" + route;
        return new HttpFunction(metadata.Name, metadata.FunctionId, trigger.Name, methods, route, template);
    }

    internal bool Accepts(string method) => Methods is null || Methods.Contains(method);
}
