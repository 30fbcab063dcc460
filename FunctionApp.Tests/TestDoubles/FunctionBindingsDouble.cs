using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>
/// Stands in for the worker's bindings feature, which <c>GetInvocationResult()</c> and <c>GetOutputBindings()</c>
/// read. Its interface is internal to Worker.Core, so the double is a <see cref="DispatchProxy"/> over that
/// interface: the public extension methods then work unchanged against it, as they do in the real worker.
/// </summary>
internal sealed class FunctionBindingsDouble
{
    internal static readonly Type FeatureType = typeof(FunctionContext).Assembly
        .GetType("Microsoft.Azure.Functions.Worker.Context.Features.IFunctionBindingsFeature", throwOnError: true)!;

    private FunctionBindingsDouble(object feature) => Feature = feature;

    /// <summary>The invocation result, as the function or the middleware set it.</summary>
    public object? InvocationResult { get; set; }

    /// <summary>Values of output bindings other than the return value, by binding name.</summary>
    public Dictionary<string, object?> OutputBindingData { get; } = [];

    internal object Feature { get; }

    public static FunctionBindingsDouble Create()
    {
        var proxy = DispatchProxy.Create(FeatureType, typeof(BindingsProxy));
        var double_ = new FunctionBindingsDouble(proxy);
        ((BindingsProxy)proxy).Owner = double_;
        return double_;
    }

    /// <summary>Routes the interface's members to the double's state.</summary>
#pragma warning disable CA1852 // DispatchProxy derives a type from this one, so it cannot be sealed.
    public class BindingsProxy : DispatchProxy
    {
        internal FunctionBindingsDouble? Owner { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var owner = Owner!;
            switch (targetMethod?.Name)
            {
                case "get_InvocationResult":
                    return owner.InvocationResult;
                case "set_InvocationResult":
                    owner.InvocationResult = args![0];
                    return null;
                case "get_OutputBindingData":
                    return owner.OutputBindingData;
                case "get_TriggerMetadata":
                case "get_InputData":
                    return new Dictionary<string, object?>();
                default:
                    throw new NotSupportedException($"{targetMethod?.Name} is not used by the code under test.");
            }
        }
    }
#pragma warning restore CA1852
}
