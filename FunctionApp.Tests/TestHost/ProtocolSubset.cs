using System.Reflection;
using Google.Protobuf.Reflection;

namespace FunctionApp.Tests.TestHost;

/// <summary>
/// Compares the test host's protocol subset (<c>FunctionApp.TestHost/Protos/function_rpc.proto</c>) with the upstream
/// contract, read from the file descriptor that Google.Protobuf's generated code embeds in the worker's own
/// <c>Microsoft.Azure.Functions.Worker.Grpc</c> assembly. Each message, field, oneof, enum value and rpc method of the
/// subset must stand upstream with the same wire identity: the same field number, type, label and message or enum type,
/// the same enum numbers, the same streaming method on the same service.
/// </summary>
internal static class ProtocolSubset
{
    /// <summary>The upstream <c>FunctionRpc.proto</c> as the worker that the tests run was built from it.</summary>
    public static FileDescriptor Upstream { get; } = LoadUpstream();

    /// <summary>
    /// Where <paramref name="subset"/>, with the files it imports, departs from <paramref name="upstream"/> and the files it
    /// imports, one line each; empty when it does not.
    /// </summary>
    public static IReadOnlyList<string> Differences(FileDescriptor subset, FileDescriptor upstream)
    {
        var differences = new List<string>();
        if (subset.Package != upstream.Package)
        {
            differences.Add($"package {subset.Package}: upstream is {upstream.Package}");
        }

        var upstreamMessages = Closure(upstream).SelectMany(f => f.MessageTypes).SelectMany(Nested).ToDictionary(m => m.FullName);
        var upstreamEnums = Closure(upstream).SelectMany(f => f.EnumTypes.Concat(f.MessageTypes.SelectMany(Nested).SelectMany(m => m.EnumTypes))).ToDictionary(e => e.FullName);
        foreach (var message in Closure(subset).SelectMany(f => f.MessageTypes).SelectMany(Nested))
        {
            if (!upstreamMessages.TryGetValue(message.FullName, out var theirs))
            {
                differences.Add($"message {message.FullName}: not upstream");
                continue;
            }

            CompareMessage(message, theirs, differences);
            foreach (var enumType in message.EnumTypes)
            {
                CompareEnum(enumType, upstreamEnums.GetValueOrDefault(enumType.FullName), differences);
            }
        }

        foreach (var enumType in Closure(subset).SelectMany(f => f.EnumTypes))
        {
            CompareEnum(enumType, upstreamEnums.GetValueOrDefault(enumType.FullName), differences);
        }

        var upstreamServices = Closure(upstream).SelectMany(f => f.Services).ToDictionary(s => s.FullName);
        foreach (var service in Closure(subset).SelectMany(f => f.Services))
        {
            if (!upstreamServices.TryGetValue(service.FullName, out var theirs))
            {
                differences.Add($"service {service.FullName}: not upstream");
                continue;
            }

            foreach (var method in service.Methods)
            {
                var theirMethod = theirs.FindMethodByName(method.Name);
                if (theirMethod is null)
                {
                    differences.Add($"rpc {service.FullName}.{method.Name}: not upstream");
                }
                else if (Signature(method) != Signature(theirMethod))
                {
                    differences.Add($"rpc {service.FullName}.{method.Name}: {Signature(method)}, upstream {Signature(theirMethod)}");
                }
            }
        }

        return differences;
    }

    private static void CompareMessage(MessageDescriptor ours, MessageDescriptor theirs, List<string> differences)
    {
        foreach (var field in ours.Fields.InDeclarationOrder())
        {
            var theirField = theirs.FindFieldByNumber(field.FieldNumber);
            if (theirField is null)
            {
                differences.Add($"{ours.FullName}.{field.Name} = {field.FieldNumber}: no field of that number upstream");
            }
            else if (Identity(field) != Identity(theirField))
            {
                differences.Add($"{ours.FullName}.{field.Name} = {field.FieldNumber}: {Identity(field)}, upstream {Identity(theirField)}");
            }
        }

        foreach (var oneof in ours.Oneofs)
        {
            var theirOneof = theirs.Oneofs.SingleOrDefault(o => o.Name == oneof.Name);
            if (theirOneof is null)
            {
                differences.Add($"{ours.FullName} oneof {oneof.Name}: not upstream");
            }
            else if (oneof.Fields.Any(f => !theirOneof.Fields.Any(t => t.FieldNumber == f.FieldNumber)))
            {
                differences.Add($"{ours.FullName} oneof {oneof.Name}: holds {Numbers(oneof)}, upstream {Numbers(theirOneof)}");
            }
        }
    }

    private static void CompareEnum(EnumDescriptor ours, EnumDescriptor? theirs, List<string> differences)
    {
        if (theirs is null)
        {
            differences.Add($"enum {ours.FullName}: not upstream");
            return;
        }

        foreach (var value in ours.Values)
        {
            var theirValue = theirs.FindValueByName(value.Name);
            if (theirValue is null || theirValue.Number != value.Number)
            {
                differences.Add($"enum {ours.FullName}.{value.Name} = {value.Number}: upstream {(theirValue is null ? "has no such value" : $"= {theirValue.Number}")}");
            }
        }
    }

    /// <summary>What the wire and the generated code see of a field: its name, type, label, the type it holds and its oneof.</summary>
    private static string Identity(FieldDescriptor field)
    {
        var label = field.IsMap ? "map" : field.IsRepeated ? "repeated" : "singular";
        var type = field.FieldType switch
        {
            FieldType.Message or FieldType.Group => $"{field.FieldType} {field.MessageType.FullName}",
            FieldType.Enum => $"enum {field.EnumType.FullName}",
            _ => field.FieldType.ToString(),
        };
        var oneof = field.RealContainingOneof is { } o ? $" in oneof {o.Name}" : string.Empty;
        return $"{field.Name} {label} {type}{oneof}";
    }

    private static string Signature(MethodDescriptor method) =>
        $"({(method.IsClientStreaming ? "stream " : "")}{method.InputType.FullName}) returns ({(method.IsServerStreaming ? "stream " : "")}{method.OutputType.FullName})";

    private static string Numbers(OneofDescriptor oneof) => string.Join(", ", oneof.Fields.Select(f => f.FieldNumber).Order());

    /// <summary>A message and every message declared inside it (map entries included), depth first.</summary>
    private static IEnumerable<MessageDescriptor> Nested(MessageDescriptor message) => [message, .. message.NestedTypes.SelectMany(Nested)];

    /// <summary>A file and every file it imports, so that a type upstream keeps in another file is still found.</summary>
    private static IEnumerable<FileDescriptor> Closure(FileDescriptor file)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<FileDescriptor>([file]);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next.Name))
            {
                yield return next;
                foreach (var dependency in next.Dependencies)
                {
                    pending.Push(dependency);
                }
            }
        }
    }

    /// <summary>
    /// The generated <c>FunctionRpcReflection.Descriptor</c> of the worker's gRPC assembly, found by what it describes
    /// rather than by its (internal) type name, which the worker is free to change.
    /// </summary>
    private static FileDescriptor LoadUpstream()
    {
        var assembly = Assembly.Load(new AssemblyName("Microsoft.Azure.Functions.Worker.Grpc"));
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types;
        }

        var descriptors = types
            .Select(t => t?.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(p => p is not null && p.PropertyType == typeof(FileDescriptor))
            .Select(p => (FileDescriptor)p!.GetValue(null)!)
            .Where(d => Path.GetFileName(d.Name).Equals("FunctionRpc.proto", StringComparison.OrdinalIgnoreCase))
            .ToList();
        return descriptors.Count == 1
            ? descriptors[0]
            : throw new InvalidOperationException($"{assembly.GetName()} holds {descriptors.Count} descriptors of FunctionRpc.proto, not one.");
    }
}
