using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionApp.TestHost.Routing;

/// <summary>
/// The functions' routes as the Functions host registers them, and the match for a request. The host sorts functions
/// by name, leaves out (with an error, not a failed start) a function whose route is reserved or conflicts with an
/// earlier one's, and tries the rest in that order: the first route whose template and method both match wins. A path
/// that matches only with another method is no match at all (404, not 405). A template ASP.NET Core's route parser
/// refuses fails the whole table, as it fails the host's start.
/// </summary>
internal sealed class RouteTable
{
    private const string ReservedRouteError = "The specified route conflicts with one or more built in routes.";

    /// <summary>ASP.NET Core's default constraints (<c>int</c>, <c>maxlength(n)</c>, …), which the host's route builder resolves too.</summary>
    private static readonly DefaultInlineConstraintResolver Constraints = new(Options.Create(new RouteOptions()), new ServiceCollection().BuildServiceProvider());

    private readonly (HttpFunction Function, TemplateMatcher Matcher, (string Name, bool Optional, IRouteConstraint Constraint)[] Constraints)[] _routes;

    public RouteTable(IEnumerable<HttpFunction> functions)
    {
        var routed = new List<HttpFunction>();
        var errors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        // The host's FunctionMetadataManager orders functions by name before ScriptHost validates them and
        // WebScriptHostHttpRoutesManager registers their routes, so that order is the routing order.
        foreach (var function in functions.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
        {
            if (Validate(function, routed) is { } error)
            {
                errors[function.Name] = error;
            }
            else
            {
                routed.Add(function);
            }
        }

        _routes = [.. routed.Select(f =>
        {
            var (matcher, constraints) = Parse(f);
            return (f, matcher, constraints);
        })];
        Functions = routed;
        Errors = errors;
    }

    /// <summary>The routed functions, in the order their routes are tried.</summary>
    public IReadOnlyList<HttpFunction> Functions { get; }

    /// <summary>Functions the host would leave out, by name, with the error it logs for each.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }

    public HttpFunction? Match(PathString path, string method, out RouteValueDictionary routeValues)
    {
        foreach (var (function, matcher, constraints) in _routes)
        {
            var values = new RouteValueDictionary();
            if (function.Accepts(method) && matcher.TryMatch(path, values) && Satisfies(constraints, values))
            {
                routeValues = values;
                return function;
            }
        }

        routeValues = [];
        return null;
    }

    /// <summary>The host's <c>ScriptHost.ValidateHttpFunction</c> and <c>HttpRoutesConflict</c>, on the route without the prefix.</summary>
    private static string? Validate(HttpFunction function, IEnumerable<HttpFunction> earlier)
    {
        // The host's own APIs live under these, so it refuses any route that merely starts with them ("administrators" too).
        var route = function.Route.Trim('/');
        if (route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase))
        {
            return ReservedRouteError;
        }

        return earlier.FirstOrDefault(other => Conflict(function, other)) is { } conflicting
            ? $"The route specified conflicts with the route defined by function '{conflicting.Name}'."
            : null;
    }

    /// <summary>
    /// The same route, ignoring case and outer slashes, and a method in common. No methods means all methods; the host
    /// intersects the methods as written, case-sensitively, so "GET" and "get" do not conflict.
    /// </summary>
    private static bool Conflict(HttpFunction function, HttpFunction other) =>
        string.Equals(function.Route.Trim('/'), other.Route.Trim('/'), StringComparison.OrdinalIgnoreCase)
        && (function.Methods is null || other.Methods is null || function.Methods.Intersect(other.Methods, StringComparer.Ordinal).Any());

    /// <summary>
    /// Inline constraints, as ASP.NET Core routing applies them to an incoming request: an optional parameter without a
    /// value passes. So <c>{root:maxlength(0)?}</c> matches only the empty path, as on the host.
    /// </summary>
    private static bool Satisfies((string Name, bool Optional, IRouteConstraint Constraint)[] constraints, RouteValueDictionary values)
    {
        foreach (var (name, optional, constraint) in constraints)
        {
            if (optional && (!values.TryGetValue(name, out var value) || value is null || value is string { Length: 0 }))
            {
                continue;
            }

            if (!constraint.Match(httpContext: null, route: null, name, values, RouteDirection.IncomingRequest))
            {
                return false;
            }
        }

        return true;
    }

    private static (TemplateMatcher Matcher, (string Name, bool Optional, IRouteConstraint Constraint)[] Constraints) Parse(HttpFunction function)
    {
        try
        {
            var template = TemplateParser.Parse(function.Template);
            var constraints = template.Parameters
                .SelectMany(p => p.InlineConstraints.Select(c => (p.Name!, p.IsOptional, Constraints.ResolveConstraint(c.Constraint)
                    ?? throw new ArgumentException($"The constraint '{c.Constraint}' of parameter '{p.Name}' is unknown."))))
                .ToArray();
            return (new TemplateMatcher(template, []), constraints);
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
    }
}
