using System.Collections.Concurrent;
using System.Threading.Channels;
using FunctionApp.TestHost.Rpc;
using Grpc.Core;

namespace FunctionApp.TestHost.Protocol;

/// <summary>
/// The host's end of the worker's gRPC event stream. Outbound messages go through one channel (a stream has one
/// writer at a time); each carries a fresh <c>request_id</c>, which the worker copies into its answer, so one
/// pending map correlates every request and response. <c>RpcLog</c> messages carry no request id: they are logs.
/// </summary>
internal sealed class WorkerChannel(HostLog log)
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? _closed;

    /// <summary>Completes with the worker id when the worker has opened the stream and said <c>StartStream</c>.</summary>
    public Task<string> Started => _started.Task;

    /// <summary>Serves the worker's connection, whose <c>StartStream</c> has been read, until it ends.</summary>
    public async Task RunAsync(string workerId, IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        _started.TrySetResult(workerId);
        var writer = WriteAllAsync(toWorker, cancellationToken);
        try
        {
            await foreach (var message in fromWorker.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                Receive(message);
            }

            Close(new WorkerUnavailableException("The worker closed its event stream."));
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or Grpc.Core.RpcException)
        {
            Close(new WorkerUnavailableException("The worker's event stream broke: " + ex.Message, ex));
        }
        finally
        {
            _outbound.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends a request to the worker and returns the wait for the message that answers it. The request is queued on the
    /// stream before this returns, so a caller can tell that it was dispatched without waiting for the answer.
    /// </summary>
    public Task<StreamingMessage> RequestAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        if (_closed is { } closed)
        {
            return Task.FromException<StreamingMessage>(closed);
        }

        var requestId = Guid.NewGuid().ToString();
        message.RequestId = requestId;
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = answer;
        if (!_outbound.Writer.TryWrite(message))
        {
            _pending.TryRemove(requestId, out _);
            return Task.FromException<StreamingMessage>(_closed ?? new WorkerUnavailableException("The worker's event stream is closed."));
        }

        return WaitForAnswerAsync(requestId, answer.Task, cancellationToken);
    }

    /// <summary>Sends a message that has no answer (e.g. <c>WorkerTerminate</c>).</summary>
    public bool Post(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    /// <summary>Fails every waiting request: the worker is gone.</summary>
    public void Close(Exception reason)
    {
        _closed ??= reason;
        _started.TrySetException(reason);
        _outbound.Writer.TryComplete();
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(reason);
        }
    }

    private async Task<StreamingMessage> WaitForAnswerAsync(string requestId, Task<StreamingMessage> answer, CancellationToken cancellationToken)
    {
        try
        {
            return await answer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    private void Receive(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                log.WorkerLog(message.RpcLog);
                break;
            default:
                if (_pending.TryGetValue(message.RequestId, out var answer))
                {
                    answer.TrySetResult(message);
                }
                else
                {
                    log.Host($"Ignored a {message.ContentCase} message from the worker that answers no request.");
                }

                break;
        }
    }

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await toWorker.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or Grpc.Core.RpcException)
        {
            Close(new WorkerUnavailableException("Writing to the worker failed: " + ex.Message, ex));
        }
    }
}
