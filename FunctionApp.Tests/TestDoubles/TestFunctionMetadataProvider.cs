using System.Collections.Immutable;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>The worker's function metadata, as its source generator would emit it for these methods.</summary>
internal sealed class TestFunctionMetadataProvider(params (Type Type, string Method, string Name, string Trigger)[] functions) : IFunctionMetadataProvider
{
    public Task<ImmutableArray<IFunctionMetadata>> GetFunctionMetadataAsync(string directory) =>
        Task.FromResult(functions.Select(f => (IFunctionMetadata)new DefaultFunctionMetadata
        {
            Name = f.Name,
            EntryPoint = f.Type.FullName!.Replace('+', '.') + "." + f.Method,
            ScriptFile = Path.GetRelativePath(directory, f.Type.Assembly.Location),
            Language = "dotnet-isolated",
            RawBindings = [$$"""{"name":"request","type":"{{f.Trigger}}","direction":"In"}"""],
        }).ToImmutableArray());
}
