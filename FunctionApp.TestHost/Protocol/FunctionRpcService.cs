using FunctionApp.TestHost.Rpc;
using Grpc.Core;

namespace FunctionApp.TestHost.Protocol;

/// <summary>The gRPC service the worker connects to; it hands the stream to the host's <see cref="WorkerChannel"/>.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
