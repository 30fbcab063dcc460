using System.Globalization;
using System.Text.Json.Nodes;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>A compiled ARM template; <see cref="For"/> evaluates it for one set of parameter values.</summary>
internal sealed class ArmTemplate(JsonObject json)
{
    public JsonObject Json { get; } = json;

    /// <summary>The template's parameter names.</summary>
    public IEnumerable<string> Parameters => Json["parameters"]!.AsObject().Select(p => p.Key);

    public ArmDeployment For(Dictionary<string, object?> parameters) => new(this, parameters);
}

/// <summary>
/// A template evaluated as Resource Manager would evaluate it before deploying, for given parameter values: the
/// resources whose condition holds, with their names, scopes and properties as values. What is only known while deploying
/// (<c>reference()</c>, <c>deployer()</c>) stays an <see cref="ArmRuntimeValue"/> that says where it comes from, and
/// resource ids are <see cref="ArmResourceId"/>s of type and names.
/// </summary>
internal sealed class ArmDeployment
{
    private static readonly Dictionary<string, object?> NoLambdaVariables = [];

    private readonly ArmTemplate _template;
    private readonly Dictionary<string, object?> _parameters;
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>While a resource loop (<c>copy</c>) is evaluated, the index of the copy in hand.</summary>
    private long? _copyIndex;

    public ArmDeployment(ArmTemplate template, Dictionary<string, object?> parameters)
    {
        _template = template;
        _parameters = new(parameters, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, definition) in template.Json["parameters"]!.AsObject())
        {
            if (!_parameters.ContainsKey(name))
            {
                _parameters[name] = definition!["defaultValue"] is { } value ? Evaluate(value) : throw new ArgumentException($"The template needs a value for its parameter {name}.");
            }
        }

        var resources = template.Json["resources"]!;
        Resources = (resources is JsonArray array ? array : resources.AsObject().Select(r => r.Value))
            .SelectMany(Copies)
            .Where(r => !r.TryGetValue("condition", out var condition) || condition is true)
            .Select(r => new ArmResource((string)r["type"]!, r["name"]!.ToString()!, r.GetValueOrDefault("scope") as ArmResourceId, r))
            .ToList();
    }

    /// <summary>The resources this deployment creates.</summary>
    public IReadOnlyList<ArmResource> Resources { get; }

    /// <summary>The one resource of this type.</summary>
    public ArmResource Single(string type) => Resources.Single(r => r.Type == type);

    /// <summary>A resource evaluated once, or once per copy of its loop with <c>copyIndex()</c> set.</summary>
    private List<Dictionary<string, object?>> Copies(JsonNode? resource)
    {
        if (resource!["copy"] is not JsonObject copy)
        {
            return [(Dictionary<string, object?>)Evaluate(resource)!];
        }

        var count = (long)Evaluate(copy["count"])!;
        var copies = new List<Dictionary<string, object?>>();
        for (_copyIndex = 0; _copyIndex < count; _copyIndex++)
        {
            copies.Add((Dictionary<string, object?>)Evaluate(resource)!);
        }

        _copyIndex = null;
        return copies;
    }

    public object? Evaluate(JsonNode? node) => node switch
    {
        null => null,
        // A property name can be an expression too, e.g. the identity's resource id under userAssignedIdentities.
        JsonObject o => o.ToDictionary(p => ArmExpression.IsExpression(p.Key) ? Text(Evaluate(ArmExpression.Parse(p.Key), NoLambdaVariables)) : p.Key, p => Evaluate(p.Value), StringComparer.OrdinalIgnoreCase),
        JsonArray a => a.Select(Evaluate).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => ArmExpression.IsExpression(s) ? Evaluate(ArmExpression.Parse(s), NoLambdaVariables) : s.StartsWith("[[", StringComparison.Ordinal) ? s[1..] : s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        _ => throw new NotSupportedException($"Unexpected JSON {node}"),
    };

    private object? Evaluate(ArmExpression expression, IReadOnlyDictionary<string, object?> lambdaVariables) => expression switch
    {
        ArmExpression.Literal literal => literal.Value,
        ArmExpression.Member member => MemberOf(Evaluate(member.Target, lambdaVariables), member.Name),
        ArmExpression.Index index => Evaluate(index.Key, lambdaVariables) is long i
            ? ((List<object?>)Evaluate(index.Target, lambdaVariables)!)[(int)i]
            : MemberOf(Evaluate(index.Target, lambdaVariables), (string)Evaluate(index.Key, lambdaVariables)!),
        ArmExpression.Call call => Call(call, lambdaVariables),
        _ => throw new NotSupportedException(expression.ToString()),
    };

    private object? Call(ArmExpression.Call call, IReadOnlyDictionary<string, object?> lambdaVariables)
    {
        var name = call.Name.ToLowerInvariant();
        if (name == "if")
        {
            return Evaluate(call.Arguments[Evaluate(call.Arguments[0], lambdaVariables) is true ? 1 : 2], lambdaVariables);
        }

        if (name == "lambda")
        {
            return new ArmLambda([.. call.Arguments.SkipLast(1).Select(a => (string)((ArmExpression.Literal)a).Value)], call.Arguments[^1]);
        }

        var args = call.Arguments.Select(a => Evaluate(a, lambdaVariables)).ToList();
        return name switch
        {
            "parameters" => _parameters.TryGetValue((string)args[0]!, out var value) ? value : throw new KeyNotFoundException($"No parameter {args[0]}"),
            "variables" => Variable((string)args[0]!),
            "lambdavariables" => lambdaVariables[(string)args[0]!],
            "createobject" => Enumerable.Range(0, args.Count / 2).ToDictionary(i => (string)args[2 * i]!, i => args[(2 * i) + 1], StringComparer.OrdinalIgnoreCase),
            "createarray" => args,
            "flatten" => ((List<object?>)args[0]!).Cast<List<object?>>().SelectMany(l => l).ToList(),
            "union" => args[0] is Dictionary<string, object?>
                ? args.Cast<Dictionary<string, object?>>().SelectMany(d => d).GroupBy(p => p.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase)
                : args.Cast<List<object?>>().SelectMany(l => l).Distinct().ToList(),
            "items" => ((Dictionary<string, object?>)args[0]!).Select(p => (object?)new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["key"] = p.Key, ["value"] = p.Value }).ToList(),
            "map" => ((List<object?>)args[0]!).Select(item => Apply((ArmLambda)args[1]!, item)).ToList(),
            "equals" => Equals(args[0], args[1]),
            "not" => args[0] is not true,
            "and" => args.All(a => a is true),
            "or" => args.Any(a => a is true),
            "true" => true,
            "null" => null,
            "false" => false,
            "empty" => args[0] is null or "" || args[0] is List<object?> { Count: 0 } || args[0] is Dictionary<string, object?> { Count: 0 },
            "format" => string.Format(CultureInfo.InvariantCulture, (string)args[0]!, [.. args.Skip(1).Select(Text)]),
            "concat" => string.Concat(args.Select(Text)),
            "string" => Text(args[0]),
            "tolower" => Text(args[0]).ToLowerInvariant(),
            "trim" => Text(args[0]).Trim(),
            "mul" => (long)args[0]! * (long)args[1]!,
            "length" => args[0] switch
            {
                List<object?> list => (long)list.Count,
                Dictionary<string, object?> dictionary => dictionary.Count,
                _ => Text(args[0]).Length,
            },
            "copyindex" => _copyIndex ?? throw new InvalidOperationException("copyIndex() outside a resource loop"),
            "fail" => throw new ArmDeploymentFailedException(Text(args[0])),
            "take" => Text(args[0])[..(int)Math.Min((long)args[1]!, Text(args[0]).Length)],
            "uniquestring" => UniqueString(args.Select(Text)),
            "guid" => NameBasedGuid(args.Select(Text)),
            "subscription" => Object(("id", "/subscriptions/00000000-0000-0000-0000-000000000000"), ("subscriptionId", "00000000-0000-0000-0000-000000000000"), ("tenantId", new ArmRuntimeValue("tenant"))),
            "resourcegroup" => Object(("id", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"), ("name", "rg"), ("location", "swedencentral")),
            "environment" => Object(("name", "AzureCloud"), ("suffixes", Object(("storage", "core.windows.net")))),
            "deployer" => Object(("objectId", new ArmRuntimeValue("deployer().objectId")), ("tenantId", new ArmRuntimeValue("deployer().tenantId"))),
            "resourceid" or "subscriptionresourceid" => new ArmResourceId((string)args[0]!, [.. args.Skip(1).Select(Text)]),
            "extensionresourceid" => new ArmResourceId((string)args[1]!, [Text(args[0]), .. args.Skip(2).Select(Text)]),
            "reference" => new ArmRuntimeValue($"reference({Text(args[0])})"),
            _ => throw new NotSupportedException($"The test's evaluator does not know the template function {call.Name}()."),
        };
    }

    /// <summary>
    /// Like ARM's <c>uniqueString()</c>: 13 characters of base 32 (a–z, 2–7), the same for the same arguments. ARM's hash
    /// is not published, so the values differ from Azure's; length and alphabet, which name rules care about, do not.
    /// </summary>
    internal static string UniqueString(IEnumerable<string> arguments)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('-', arguments)));
        var bits = BitConverter.ToUInt64(hash, 0);
        return string.Concat(Enumerable.Range(0, 13).Select(i => alphabet[(int)((bits >> (5 * i)) & 31)]));
    }

    /// <summary>
    /// Like ARM's <c>guid()</c>: a GUID in the name-based (version 5) layout from a hash of the arguments, the same for the
    /// same arguments. ARM's hash is not reproduced, so the values differ from Azure's; the form does not.
    /// </summary>
    internal static string NameBasedGuid(IEnumerable<string> arguments)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('-', arguments)))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    private object? Variable(string name)
    {
        if (!_variables.TryGetValue(name, out var value))
        {
            value = _variables[name] = Evaluate(_template.Json["variables"]![name] ?? throw new KeyNotFoundException($"No variable {name}"));
        }

        return value;
    }

    private object? Apply(ArmLambda lambda, object? argument) =>
        Evaluate(lambda.Body, new Dictionary<string, object?> { [lambda.Parameters[0]] = argument });

    private static object? MemberOf(object? target, string name) => target switch
    {
        Dictionary<string, object?> d => d.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No property {name}"),
        ArmRuntimeValue r => new ArmRuntimeValue($"{r.Source}.{name}"),
        _ => throw new NotSupportedException($"Cannot read {name} of {target}"),
    };

    private static Dictionary<string, object?> Object(params (string Name, object? Value)[] properties) =>
        properties.ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}

/// <summary>The template stopped the deployment with <c>fail()</c>, as Resource Manager would report it.</summary>
internal sealed class ArmDeploymentFailedException(string message) : Exception(message);

/// <summary>One resource a deployment creates, evaluated.</summary>
internal sealed record ArmResource(string Type, string Name, ArmResourceId? Scope, Dictionary<string, object?> Body)
{
    /// <summary>A value under the resource, by a path of property names, e.g. <c>properties.siteConfig.minTlsVersion</c>.</summary>
    public object? this[string path] => path.Split('.').Aggregate((object?)Body, (value, name) => ((Dictionary<string, object?>)value!)[name]);
}

/// <summary>A resource id: the resource type and its names, e.g. <c>Microsoft.KeyVault/vaults</c> and <c>kv-…</c>.</summary>
internal sealed record ArmResourceId(string Type, IReadOnlyList<string> Names)
{
    public string Name => Names[^1];

    public override string ToString() => $"{Type}/{string.Join('/', Names)}";
}

/// <summary>A value known only while deploying, e.g. <c>reference(…).clientId</c>, named by where it comes from.</summary>
internal sealed record ArmRuntimeValue(string Source)
{
    public override string ToString() => $"{{{Source}}}";
}

internal sealed record ArmLambda(IReadOnlyList<string> Parameters, ArmExpression Body);
