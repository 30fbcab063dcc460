using FunctionApp.TestHost.Rpc;
using Grpc.Core;

namespace FunctionApp.TestHost.Protocol;

/// <summary>The gRPC service workers connect to; it hands each worker's stream to the channel the host made for it.</summary>
internal sealed class FunctionRpcService(WorkerChannels channels) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        // A worker's first message, StartStream, carries the id the host started it with.
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (requestStream.Current.StartStream?.WorkerId is not { } workerId || !channels.TryGet(workerId, out var channel))
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.FailedPrecondition, "The first message must be StartStream with the worker id this host started the worker with."));
        }

        await channel.RunAsync(workerId, requestStream, responseStream, context.CancellationToken).ConfigureAwait(false);
    }
}
