using FunctionApp.TestHost.Rpc;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace FunctionApp.Tests.TestHost;

/// <summary>
/// The test host's protocol subset against the upstream <c>FunctionRpc.proto</c> that the worker under test was built
/// from: a field number, type or label that drifts, an enum value, oneof or rpc method that is not upstream, fails here.
/// </summary>
public sealed class ProtocolSubsetTests
{
    [Fact]
    public void EveryMessageFieldEnumOneofAndMethodOfTheSubsetIsUpstreamWithTheSameWireIdentity()
    {
        var differences = ProtocolSubset.Differences(FunctionRpcReflection.Descriptor, ProtocolSubset.Upstream);

        Assert.True(differences.Count == 0, "The subset departs from upstream:\n" + string.Join('\n', differences));
    }

    [Fact]
    public void TheUpstreamDescriptorIsTheWorkersFunctionRpcProto()
    {
        // Guards the comparison against an empty or wrong upstream, which would find nothing to differ.
        var upstream = ProtocolSubset.Upstream;

        Assert.Equal("AzureFunctionsRpcMessages", upstream.Package);
        Assert.Equal("EventStream", Assert.Single(upstream.Services, s => s.Name == "FunctionRpc").Methods.Single().Name);
        Assert.True(upstream.MessageTypes.Count > FunctionRpcReflection.Descriptor.MessageTypes.Count, "The subset should be smaller than upstream.");
    }

    [Fact]
    public void AChangedFieldNumberIsReported()
    {
        var subset = Changed(file => Field(file, "RpcHttp", "status_code").Number = 11);

        Assert.Contains("AzureFunctionsRpcMessages.RpcHttp.status_code = 11: ", Assert.Single(ProtocolSubset.Differences(subset, ProtocolSubset.Upstream)), StringComparison.Ordinal);
    }

    [Fact]
    public void AChangedFieldTypeIsReported()
    {
        var subset = Changed(file => Field(file, "TypedData", "int").Type = FieldDescriptorProto.Types.Type.Int64);

        Assert.Equal(
            "AzureFunctionsRpcMessages.TypedData.int = 6: int singular Int64 in oneof data, upstream int singular SInt64 in oneof data",
            Assert.Single(ProtocolSubset.Differences(subset, ProtocolSubset.Upstream)));
    }

    [Fact]
    public void ARepeatedFieldMadeSingularIsReported()
    {
        var subset = Changed(file => Field(file, "InvocationRequest", "input_data").Label = FieldDescriptorProto.Types.Label.Optional);

        Assert.Contains("InvocationRequest.input_data = 3: input_data singular Message", Assert.Single(ProtocolSubset.Differences(subset, ProtocolSubset.Upstream)), StringComparison.Ordinal);
    }

    [Fact]
    public void AChangedEnumValueIsReported()
    {
        var subset = Changed(file => Message(file, "StatusResult").EnumType.Single(e => e.Name == "Status").Value.Single(v => v.Name == "Cancelled").Number = 3);

        Assert.Equal("enum AzureFunctionsRpcMessages.StatusResult.Status.Cancelled = 3: upstream = 2", Assert.Single(ProtocolSubset.Differences(subset, ProtocolSubset.Upstream)));
    }

    [Fact]
    public void AMessageNotUpstreamIsReported()
    {
        var subset = Changed(file => file.MessageType.Add(new DescriptorProto { Name = "HostOnly" }));

        Assert.Equal("message AzureFunctionsRpcMessages.HostOnly: not upstream", Assert.Single(ProtocolSubset.Differences(subset, ProtocolSubset.Upstream)));
    }

    [Fact]
    public void AMethodThatNoLongerStreamsIsReported()
    {
        var subset = Changed(file => file.Service.Single().Method.Single().ServerStreaming = false);

        Assert.StartsWith("rpc AzureFunctionsRpcMessages.FunctionRpc.EventStream: (stream ", Assert.Single(ProtocolSubset.Differences(subset, ProtocolSubset.Upstream)), StringComparison.Ordinal);
    }

    /// <summary>The subset's own descriptor, changed as a careless edit of the .proto would change it, and built again.</summary>
    private static FileDescriptor Changed(Action<FileDescriptorProto> change)
    {
        var file = FileDescriptorProto.Parser.ParseFrom(FunctionRpcReflection.Descriptor.SerializedData);
        change(file);
        return FileDescriptor.BuildFromByteStrings([.. FunctionRpcReflection.Descriptor.Dependencies.Select(d => d.SerializedData), file.ToByteString()])[^1];
    }

    private static DescriptorProto Message(FileDescriptorProto file, string name) => file.MessageType.Single(m => m.Name == name);

    private static FieldDescriptorProto Field(FileDescriptorProto file, string message, string name) => Message(file, message).Field.Single(f => f.Name == name);
}
