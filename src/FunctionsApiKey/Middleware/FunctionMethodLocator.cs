using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// Finds the method behind a function the way the worker does (its <c>DefaultMethodInfoLocator</c>): the assembly at the
/// function's path, loaded into the default context, and the type and method its entry point names. Two cases the
/// worker's own lookup does not need, because its generated executor calls the method directly, are handled here:
/// a nested type, which the entry point writes with dots where reflection wants <c>+</c>, and overloads, told apart by
/// the <see cref="FunctionAttribute"/> that names the function.
/// </summary>
internal static class FunctionMethodLocator
{
    private const BindingFlags AnyMethod = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>The function's method, or null when it cannot be told for certain (the caller then fails closed).</summary>
    public static MethodInfo? Find(string functionName, string pathToAssembly, string entryPoint)
    {
        var dot = entryPoint.LastIndexOf('.');
        if (dot <= 0 || dot == entryPoint.Length - 1 || LoadAssembly(pathToAssembly) is not { } assembly)
        {
            return null;
        }

        var methodName = entryPoint[(dot + 1)..];
        var candidates = FindType(assembly, entryPoint[..dot])?.GetMethods(AnyMethod).Where(m => m.Name == methodName).ToList();
        if (candidates is null or [])
        {
            return null;
        }

        var named = candidates.Where(m => m.GetCustomAttribute<FunctionAttribute>() is { } f && string.Equals(f.Name, functionName, StringComparison.OrdinalIgnoreCase)).ToList();
        return named is [var one] ? one : candidates is [var only] ? only : null;
    }

    private static Assembly? LoadAssembly(string pathToAssembly)
    {
        if (string.IsNullOrEmpty(pathToAssembly))
        {
            return null;
        }

        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(pathToAssembly));
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary><c>A.B.Outer.Inner</c> is tried as written, then as <c>A.B.Outer+Inner</c>, <c>A.B+Outer+Inner</c> and so on.</summary>
    private static Type? FindType(Assembly assembly, string typeName)
    {
        var name = typeName;
        while (true)
        {
            if (assembly.GetType(name) is { } type)
            {
                return type;
            }

            var dot = name.LastIndexOf('.');
            if (dot <= 0)
            {
                return null;
            }

            name = string.Concat(name.AsSpan(0, dot), "+", name.AsSpan(dot + 1));
        }
    }
}
