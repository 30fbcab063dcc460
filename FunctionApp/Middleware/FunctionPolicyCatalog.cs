using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Middleware;

/// <summary>
/// Works out each function's <see cref="FunctionPolicy"/> on its first invocation and caches it. A function whose
/// method cannot be found is protected: the gate fails closed.
/// </summary>
internal sealed class FunctionPolicyCatalog
{
    private const string HttpTriggerType = "httpTrigger";
    private const string HttpOutputType = "http";
    private const string ReturnBindingName = "$return";

    private readonly ConcurrentDictionary<string, FunctionPolicy> _policies = new(StringComparer.Ordinal);

    public FunctionPolicy Get(FunctionDefinition function) =>
        _policies.GetOrAdd(function.Id, static (_, definition) => Build(definition), function);

    internal static FunctionPolicy Build(FunctionDefinition function)
    {
        var isHttp = function.InputBindings.Values.Any(b => string.Equals(b.Type, HttpTriggerType, StringComparison.OrdinalIgnoreCase));
        var httpOutput = function.OutputBindings
            .Where(b => string.Equals(b.Value.Type, HttpOutputType, StringComparison.OrdinalIgnoreCase) && b.Key != ReturnBindingName)
            .Select(b => b.Key)
            .FirstOrDefault();

        var method = FindMethod(function.EntryPoint);
        var allowAnonymous = method is not null
            && (method.IsDefined(typeof(AllowAnonymousAttribute), inherit: true) || method.DeclaringType!.IsDefined(typeof(AllowAnonymousAttribute), inherit: true));
        var scope = method?.GetCustomAttribute<RequireScopeAttribute>()?.Scope
            ?? method?.DeclaringType!.GetCustomAttribute<RequireScopeAttribute>()?.Scope
            ?? function.Name;

        return new FunctionPolicy(function.Name, isHttp, allowAnonymous, scope, httpOutput);
    }

    /// <summary>Finds the method of an entry point such as <c>FunctionApp.Functions.RootFunction.Run</c>.</summary>
    private static MethodInfo? FindMethod(string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        var typeName = entryPoint[..dot];
        var methodName = entryPoint[(dot + 1)..];
        var type = typeof(FunctionPolicyCatalog).Assembly.GetType(typeName)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        var methods = type?.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => m.Name == methodName)
            .ToList();

        // Overloads are ambiguous; without a single method the attributes cannot be trusted, so none are read.
        return methods is { Count: 1 } ? methods[0] : null;
    }
}
