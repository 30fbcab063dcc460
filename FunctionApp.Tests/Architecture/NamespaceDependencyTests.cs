using FunctionsApiKey;
using FunctionsApiKey.KeyVault;
using FunctionsApiKey.LastUse;
using FunctionsApiKey.Redis;
using FunctionsApiKey.SharedRing;
using FunctionApp.Tests.Tool;
using Mono.Cecil;

namespace FunctionApp.Tests.Architecture;

/// <summary>
/// Dependencies between the six packages' namespaces (the five libraries and the key tool) run one way, read from the
/// compiled assemblies (signatures, attributes and every method body), so no reference can hide: the public contracts at
/// the bottom, then log-safe text, last use, the key ring, the middleware and the key sources, and the registration on
/// top; the tool's own layers run Tool → Commands → Stores → Cli.
/// </summary>
public sealed class NamespaceDependencyTests
{
    private const string Root = "FunctionsApiKey";
    private const string Registration = "Microsoft.Azure.Functions.Worker.Builder";
    private const string Tool = "FunctionsApiKey.Tool";

    /// <summary>Every dependency the packages are allowed to have between their own namespaces.</summary>
    private static readonly HashSet<(string From, string To)> Allowed =
    [
        ($"{Root}.Diagnostics", Root),
        ($"{Root}.Usage", Root),
        ($"{Root}.Usage", $"{Root}.Diagnostics"),
        // The usage writer hands the other instances' counts to the quota counters; policies know nothing of usage.
        ($"{Root}.Usage", $"{Root}.Policies"),
        ($"{Root}.KeyRing", Root),
        ($"{Root}.KeyRing", $"{Root}.Diagnostics"),
        ($"{Root}.KeyRing", $"{Root}.Usage"),
        ($"{Root}.KeyRing", $"{Root}.Policies"),
        ($"{Root}.Policies", Root),
        ($"{Root}.Policies", $"{Root}.Diagnostics"),
        ($"{Root}.Middleware", $"{Root}.Policies"),
        ($"{Root}.Middleware", Root),
        ($"{Root}.Middleware", $"{Root}.Diagnostics"),
        ($"{Root}.Middleware", $"{Root}.KeyRing"),
        ($"{Root}.KeySources", Root),
        ($"{Root}.KeySources", $"{Root}.Diagnostics"),
        ($"{Root}.KeyVault", Root),
        ($"{Root}.KeyVault", $"{Root}.Diagnostics"),
        ($"{Root}.SharedRing", Root),
        ($"{Root}.SharedRing", $"{Root}.Diagnostics"),
        ($"{Root}.SharedRing", $"{Root}.KeyVault"),
        ($"{Root}.LastUse", Root),
        ($"{Root}.LastUse", $"{Root}.Diagnostics"),
        ($"{Root}.Redis", Root),
        (Registration, Root),
        (Registration, $"{Root}.Diagnostics"),
        (Registration, $"{Root}.Usage"),
        (Registration, $"{Root}.KeyRing"),
        (Registration, $"{Root}.Policies"),
        (Registration, $"{Root}.Middleware"),
        (Registration, $"{Root}.KeySources"),
        (Registration, $"{Root}.KeyVault"),
        (Registration, $"{Root}.SharedRing"),
        (Registration, $"{Root}.LastUse"),
        (Registration, $"{Root}.Redis"),

        // The key tool: the packages' public API below its own layers, which run Tool → Commands → Stores → Cli.
        ($"{Tool}.Cli", Root),
        ($"{Tool}.Cli", $"{Root}.Diagnostics"),
        ($"{Tool}.Cli", $"{Root}.KeySources"),
        ($"{Tool}.Cli", $"{Root}.KeyVault"),
        ($"{Tool}.Stores", Root),
        ($"{Tool}.Stores", $"{Root}.Diagnostics"),
        ($"{Tool}.Stores", $"{Root}.KeySources"),
        ($"{Tool}.Stores", $"{Root}.KeyVault"),
        ($"{Tool}.Stores", $"{Tool}.Cli"),
        ($"{Tool}.Commands", Root),
        ($"{Tool}.Commands", $"{Root}.Diagnostics"),
        ($"{Tool}.Commands", $"{Root}.KeyRing"),
        ($"{Tool}.Commands", $"{Root}.KeySources"),
        ($"{Tool}.Commands", $"{Root}.KeyVault"),
        ($"{Tool}.Commands", $"{Root}.LastUse"),
        ($"{Tool}.Commands", $"{Root}.SharedRing"),
        ($"{Tool}.Commands", $"{Tool}.Cli"),
        ($"{Tool}.Commands", $"{Tool}.Stores"),
        (Tool, $"{Tool}.Cli"),
        (Tool, $"{Tool}.Commands"),
    ];

    /// <summary>A type of each package, for its assembly.</summary>
    private static readonly Type[] Packages = [typeof(ApiKeyOptions), typeof(KeyVaultApiKeyOptions), typeof(SharedRingOptions), typeof(LastUseOptions), typeof(RedisRateLimitOptions)];

    /// <summary>The six packages' assemblies: the five libraries and the key tool.</summary>
    private static readonly string[] Assemblies = [.. Packages.Select(t => t.Assembly.Location), ApiKeysTool.Dll];

    [Fact]
    public void DependenciesBetweenNamespacesRunOneWayAsDesigned()
    {
        var edges = Dependencies();

        Assert.Empty(edges.Where(e => !Allowed.Contains((e.From, e.To))).Select(e => $"{e.From} → {e.To} (in {e.Where})").Distinct());
        Assert.Contains(edges, e => (e.From, e.To) == ($"{Root}.Middleware", $"{Root}.KeyRing"));
        Assert.Contains(edges, e => (e.From, e.To) == ($"{Root}.KeyRing", $"{Root}.Usage"));
        Assert.Contains(edges, e => (e.From, e.To) == ($"{Tool}.Commands", $"{Tool}.Stores"));
        Assert.Contains(edges, e => (e.From, e.To) == ($"{Root}.SharedRing", $"{Root}.KeyVault"));
        Assert.Contains(edges, e => (e.From, e.To) == ($"{Tool}.Stores", $"{Root}.KeyVault"));
    }

    [Fact]
    public void TheAllowedDependenciesHaveNoCycle()
    {
        var graph = Allowed.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var done = new HashSet<string>();
        foreach (var start in graph.Keys)
        {
            Visit(start, []);
        }

        void Visit(string node, HashSet<string> path)
        {
            Assert.True(path.Add(node), $"Cycle through {node}");
            if (done.Add(node))
            {
                foreach (var next in graph.GetValueOrDefault(node) ?? [])
                {
                    Visit(next, [.. path]);
                }
            }
        }
    }

    [Fact]
    public void TheCorePackageReferencesNoAzureSdk()
    {
        using var core = AssemblyDefinition.ReadAssembly(typeof(ApiKeyOptions).Assembly.Location);

        Assert.DoesNotContain(core.MainModule.AssemblyReferences, r => r.Name.StartsWith("Azure.", StringComparison.Ordinal) || r.Name == "Microsoft.Extensions.Azure");
    }

    /// <summary>Each reference from a type of one of the packages' namespaces to a type of another.</summary>
    private static List<(string From, string To, string Where)> Dependencies()
    {
        var edges = new List<(string, string, string)>();
        foreach (var location in Assemblies)
        {
            using var assembly = AssemblyDefinition.ReadAssembly(location);
            foreach (var type in assembly.MainModule.GetTypes())
            {
                var from = NamespaceOf(type);
                if (!IsOurs(from))
                {
                    continue;
                }

                foreach (var referenced in ReferencedTypes(type))
                {
                    var to = NamespaceOf(referenced);
                    if (IsOurs(to) && to != from && (referenced.Scope.Name == assembly.MainModule.Name || IsPackageAssembly(referenced.Scope.Name)))
                    {
                        edges.Add((from, to, type.FullName));
                    }
                }
            }
        }

        return edges;
    }

    private static bool IsPackageAssembly(string scope) => Assemblies.Any(a => scope == Path.GetFileNameWithoutExtension(a) || scope == Path.GetFileName(a));

    private static bool IsOurs(string ns) => ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal) || ns == Registration;

    /// <summary>The namespace of a type, or of the type it is nested in (closures and state machines live in their declaring type).</summary>
    private static string NamespaceOf(TypeReference type)
    {
        while (type is TypeSpecification specification)
        {
            type = specification.ElementType;
        }

        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.Namespace;
    }

    private static IEnumerable<TypeReference> ReferencedTypes(TypeDefinition type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var implemented in type.Interfaces)
        {
            yield return implemented.InterfaceType;
        }

        foreach (var attribute in type.CustomAttributes)
        {
            yield return attribute.AttributeType;
        }

        foreach (var field in type.Fields)
        {
            yield return field.FieldType;
        }

        foreach (var property in type.Properties)
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.Methods)
        {
            yield return method.ReturnType;
            foreach (var parameter in method.Parameters)
            {
                yield return parameter.ParameterType;
            }

            foreach (var attribute in method.CustomAttributes)
            {
                yield return attribute.AttributeType;
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                yield return variable.VariableType;
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference operand:
                        yield return operand;
                        break;
                    case MemberReference member:
                        yield return member.DeclaringType;
                        if (member is MethodReference called)
                        {
                            yield return called.ReturnType;
                        }
                        else if (member is FieldReference field)
                        {
                            yield return field.FieldType;
                        }

                        break;
                }
            }
        }
    }
}
