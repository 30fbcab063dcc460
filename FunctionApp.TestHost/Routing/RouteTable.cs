using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FunctionApp.TestHost.Routing;

/// <summary>
/// Picks the function for a request the way the Functions host's router does: the first route whose template and
/// method both match. A path that matches only with another method is no match at all (the host answers 404, not 405).
/// </summary>
internal sealed class RouteTable(IEnumerable<HttpFunction> functions)
{
    private readonly HttpFunction[] _functions = [.. functions.OrderBy(f => f.Precedence)];

    public IReadOnlyList<HttpFunction> Functions => _functions;

    public HttpFunction? Match(PathString path, string method, out RouteValueDictionary routeValues)
    {
        foreach (var function in _functions)
        {
            var values = new RouteValueDictionary();
            if (function.Accepts(method) && function.TryMatch(path, values))
            {
                routeValues = values;
                return function;
            }
        }

        routeValues = [];
        return null;
    }
}
