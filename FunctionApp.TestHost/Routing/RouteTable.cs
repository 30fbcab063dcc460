using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace FunctionApp.TestHost.Routing;

/// <summary>
/// Picks the function for a request the way the Functions host's router does: the first route whose template and
/// method both match. A path that matches only with another method is no match at all (the host answers 404, not 405).
/// A template that ASP.NET Core's route parser refuses fails the whole table, as it fails the host's start.
/// </summary>
internal sealed class RouteTable
{
    private readonly (HttpFunction Function, TemplateMatcher Matcher, (int, int, int) Precedence)[] _routes;

    public RouteTable(IEnumerable<HttpFunction> functions)
    {
        _routes = [.. functions.Select(Parse).OrderBy(r => r.Precedence)];
        Functions = [.. _routes.Select(r => r.Function)];
    }

    public IReadOnlyList<HttpFunction> Functions { get; }

    public HttpFunction? Match(PathString path, string method, out RouteValueDictionary routeValues)
    {
        foreach (var (function, matcher, _) in _routes)
        {
            var values = new RouteValueDictionary();
            if (function.Accepts(method) && matcher.TryMatch(path, values))
            {
                routeValues = values;
                return function;
            }
        }

        routeValues = [];
        return null;
    }

    private static (HttpFunction Function, TemplateMatcher Matcher, (int, int, int) Precedence) Parse(HttpFunction function)
    {
        RouteTemplate parsed;
        try
        {
            parsed = TemplateParser.Parse(function.Template);
        }
        catch (ArgumentException ex)
        {
            // The host's route builder throws on such a template too, and the host does not start.
            throw new InvalidOperationException(
                $"The route template '{function.Template}' of function '{function.Name}' is invalid: {ex.Message} The Functions host " +
                "builds a template as routePrefix + '/' + route when the prefix is not empty, trimming neither, and does not start " +
                "with an invalid one; with a route prefix, give the function a route that does not start with '/'.",
                ex);
        }

        // Routes with fewer catch-alls and parameters and more segments are tried first.
        var precedence = (parsed.Segments.Count(s => s.Parts.Any(p => p.IsCatchAll)), parsed.Parameters.Count, -parsed.Segments.Count);
        return (function, new TemplateMatcher(parsed, []), precedence);
    }
}
