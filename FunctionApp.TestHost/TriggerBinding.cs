using System.Text.Json;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.TestHost;

/// <summary>
/// A function's trigger as the host finds it among the raw bindings the worker reports: the first binding that is not
/// outbound and whose type ends in "Trigger" (the host's <c>BindingMetadata.IsTrigger</c>), with property names matched
/// ignoring case, as the host's reader matches them. The router, the timer scheduler and the admin API all ask this
/// one type, so they cannot disagree about which binding starts a function.
/// </summary>
internal sealed class TriggerBinding
{
    private TriggerBinding(string type, string name, JsonElement binding)
    {
        Type = type;
        Name = name;
        Binding = binding;
    }

    /// <summary>The binding's type as written, e.g. <c>httpTrigger</c>.</summary>
    public string Type { get; }

    /// <summary>The trigger parameter's name, e.g. <c>request</c>: the invocation's input is bound to it. Empty when the binding names none.</summary>
    public string Name { get; }

    /// <summary>The whole binding, for the properties its type has (<c>route</c>, <c>methods</c>, <c>schedule</c>, …); it outlives the metadata's JSON.</summary>
    public JsonElement Binding { get; }

    /// <summary>Whether this is a trigger of <paramref name="type"/>, ignoring case, as the host compares binding types.</summary>
    public bool Is(string type) => Type.Equals(type, StringComparison.OrdinalIgnoreCase);

    /// <summary>The trigger of <paramref name="function"/>; null when it has none.</summary>
    public static TriggerBinding? Of(RpcFunctionMetadata function)
    {
        foreach (var raw in function.RawBindings)
        {
            using var document = JsonDocument.Parse(raw);
            var root = document.RootElement;
            if (root.PropertyIgnoringCase("type")?.GetString() is { } type
                && type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(root.PropertyIgnoringCase("direction")?.GetString(), "Out", StringComparison.OrdinalIgnoreCase))
            {
                return new TriggerBinding(type, root.PropertyIgnoringCase("name")?.GetString() ?? string.Empty, root.Clone());
            }
        }

        return null;
    }
}
