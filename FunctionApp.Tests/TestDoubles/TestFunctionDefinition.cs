using System.Collections.Immutable;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>Function metadata as the worker builds it from functions.metadata.</summary>
internal sealed class TestFunctionDefinition : FunctionDefinition
{
    // pathToAssembly: where the function's assembly is; this test assembly unless given.
    public TestFunctionDefinition(string name, string entryPoint, string triggerType = "httpTrigger", IEnumerable<(string Name, string Type)>? outputs = null, string? pathToAssembly = null)
    {
        PathToAssembly = pathToAssembly ?? typeof(TestFunctionDefinition).Assembly.Location;
        Name = name;
        Id = name + "-id";
        EntryPoint = entryPoint;
        InputBindings = ImmutableDictionary<string, BindingMetadata>.Empty.Add("req", new TestBindingMetadata("req", triggerType, BindingDirection.In));
        OutputBindings = (outputs ?? (triggerType == "httpTrigger" ? [("$return", "http")] : []))
            .ToImmutableDictionary(o => o.Name, o => (BindingMetadata)new TestBindingMetadata(o.Name, o.Type, BindingDirection.Out));
    }

    /// <summary>The definition the worker builds for <paramref name="method"/> of <paramref name="type"/>: its entry point names nested types with dots, as the source generator writes it.</summary>
    public static TestFunctionDefinition For(Type type, string method, string name) =>
        new(name, type.FullName!.Replace('+', '.') + "." + method, pathToAssembly: type.Assembly.Location);

    public override ImmutableArray<FunctionParameter> Parameters => [];

    public override string PathToAssembly { get; }

    public override string EntryPoint { get; }

    public override string Id { get; }

    public override string Name { get; }

    public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; }

    public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; }

    private sealed class TestBindingMetadata(string name, string type, BindingDirection direction) : BindingMetadata
    {
        public override string Name { get; } = name;

        public override string Type { get; } = type;

        public override BindingDirection Direction { get; } = direction;
    }
}
