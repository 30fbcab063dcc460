using System.Collections.Concurrent;
using System.Reflection;
using FunctionsApiKey.KeyRing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// Works out each function's <see cref="FunctionPolicy"/> on its first invocation and caches it. A function whose
/// method cannot be found is protected: the gate fails closed. Also lists the scopes all of the app's functions
/// require, from the worker's function metadata.
/// </summary>
internal sealed class FunctionPolicyCatalog(IFunctionMetadataProvider? metadata = null) : IFunctionScopes
{
    private const string HttpOutputType = "http";
    private const string ReturnBindingName = "$return";

    private readonly ConcurrentDictionary<string, FunctionPolicy> _policies = new(StringComparer.Ordinal);
    private readonly Lazy<Task<IReadOnlySet<string>?>> _requiredScopes = new(() => ListRequiredScopesAsync(metadata));

    public Task<IReadOnlySet<string>?> GetRequiredScopesAsync() => _requiredScopes.Value;

    public FunctionPolicy Get(FunctionDefinition function) =>
        _policies.GetOrAdd(function.Id, static (_, definition) => Build(definition), function);

    internal static FunctionPolicy Build(FunctionDefinition function)
    {
        var isHttp = function.InputBindings.Values.Any(b => string.Equals(b.Type, HttpTriggerBinding.Type, StringComparison.OrdinalIgnoreCase));
        var httpOutput = function.OutputBindings
            .Where(b => string.Equals(b.Value.Type, HttpOutputType, StringComparison.OrdinalIgnoreCase) && b.Key != ReturnBindingName)
            .Select(b => b.Key)
            .FirstOrDefault();
        return Build(function.Name, function.PathToAssembly, function.EntryPoint, isHttp, httpOutput);
    }

    private static FunctionPolicy Build(string name, string pathToAssembly, string entryPoint, bool isHttp, string? httpOutput)
    {
        var method = FunctionMethodLocator.Find(name, pathToAssembly, entryPoint);
        var allowAnonymous = method is not null && (AllowsAnonymous(method) || AllowsAnonymous(method.DeclaringType!));
        var scope = method?.GetCustomAttribute<RequireScopeAttribute>()?.Scope
            ?? method?.DeclaringType!.GetCustomAttribute<RequireScopeAttribute>()?.Scope
            ?? name;

        return new FunctionPolicy(name, isHttp, allowAnonymous, scope, httpOutput);
    }

    /// <summary>
    /// ASP.NET Core's <c>[AllowAnonymous]</c>, or any attribute that implements its <c>IAllowAnonymous</c> contract, in
    /// either HTTP model: one attribute, so a file that uses both namespaces has nothing ambiguous.
    /// </summary>
    private static bool AllowsAnonymous(MemberInfo member) =>
        member.GetCustomAttributes(inherit: true).Any(a => a is IAllowAnonymous);

    /// <summary>The scopes of the protected HTTP functions in the worker's metadata (the same list the host indexes).</summary>
    private static async Task<IReadOnlySet<string>?> ListRequiredScopesAsync(IFunctionMetadataProvider? provider)
    {
        if (provider is null)
        {
            return null;
        }

        // The worker runs from the app's folder, where function metadata names its assemblies.
        var directory = AppContext.BaseDirectory;
        var scopes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in await provider.GetFunctionMetadataAsync(directory).ConfigureAwait(false))
        {
            if (function.Name is { } name && function.EntryPoint is { } entryPoint && function.ScriptFile is { } scriptFile && HttpTriggerBinding.TryRead(function, out _))
            {
                var policy = Build(name, Path.Combine(directory, scriptFile), entryPoint, isHttp: true, httpOutput: null);
                if (policy.IsProtected)
                {
                    scopes.Add(policy.RequiredScope);
                }
            }
        }

        return scopes;
    }
}
