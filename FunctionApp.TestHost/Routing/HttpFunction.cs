using System.Text.Json;
using FunctionApp.TestHost.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace FunctionApp.TestHost.Routing;

/// <summary>
/// An HTTP-triggered function as the host routes to it: its id, the name of its trigger parameter, its methods and
/// its route template (<c>{routePrefix}/{route}</c>, or <c>{routePrefix}/{name}</c> when the route is empty).
/// </summary>
public sealed class HttpFunction
{
    private readonly TemplateMatcher _matcher;

    private HttpFunction(string name, string functionId, string triggerParameter, IReadOnlySet<string>? methods, string template)
    {
        Name = name;
        FunctionId = functionId;
        TriggerParameter = triggerParameter;
        Methods = methods;
        Template = template;
        var parsed = TemplateParser.Parse(template);
        _matcher = new TemplateMatcher(parsed, new RouteValueDictionary());
        Precedence = (parsed.Segments.Count(s => s.Parts.Any(p => p.IsCatchAll)), parsed.Parameters.Count, -parsed.Segments.Count);
    }

    public string Name { get; }

    public string FunctionId { get; }

    /// <summary>The name of the trigger binding, e.g. <c>request</c>: the invocation's input is bound to it.</summary>
    public string TriggerParameter { get; }

    /// <summary>Upper-case methods the function accepts; null for any method.</summary>
    public IReadOnlySet<string>? Methods { get; }

    /// <summary>The full route template, without a leading slash.</summary>
    public string Template { get; }

    /// <summary>Routes with fewer catch-alls and parameters and more segments are tried first.</summary>
    internal (int CatchAlls, int Parameters, int NegativeSegments) Precedence { get; }

    /// <summary>Reads the HTTP trigger from a function's metadata; null for other triggers.</summary>
    internal static HttpFunction? FromMetadata(RpcFunctionMetadata metadata, string routePrefix)
    {
        foreach (var raw in metadata.RawBindings)
        {
            using var binding = JsonDocument.Parse(raw);
            var root = binding.RootElement;
            if (!root.TryGetProperty("type", out var type) || !string.Equals(type.GetString(), "httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var route = root.TryGetProperty("route", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (string.IsNullOrWhiteSpace(route))
            {
                route = metadata.Name;
            }

            IReadOnlySet<string>? methods = root.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array && m.GetArrayLength() > 0
                ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal)
                : null;
            var template = string.Join('/', new[] { routePrefix, route.Trim('/') }.Where(s => s.Length > 0));
            return new HttpFunction(metadata.Name, metadata.FunctionId, root.GetProperty("name").GetString()!, methods, template);
        }

        return null;
    }

    /// <summary>Matches a request path; the route values are filled when it does.</summary>
    internal bool TryMatch(PathString path, RouteValueDictionary values) => _matcher.TryMatch(path, values);

    internal bool Accepts(string method) => Methods is null || Methods.Contains(method.ToUpperInvariant());
}
