using FunctionApp.Testing;
using FunctionApp.TestHost;
using FunctionApp.TestHost.Http;
using FunctionApp.TestHost.Protocol;
using FunctionApp.TestHost.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionApp.Tests.TestHost;

/// <summary>
/// When an invocation of an ASP.NET Core integration worker is over, and what its client gets, for each order and
/// outcome of the forward (YARP, which writes the response) and the worker's <c>InvocationResponse</c>.
/// </summary>
public sealed class ForwardedInvocationTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly LogCapture _log = new();
    private readonly TaskCompletionSource<ForwarderError> _forward = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<StreamingMessage?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopForward = new();
    private readonly DefaultHttpContext _context = new();

    public void Dispose() => _stopForward.Dispose();

    [Fact]
    public async Task ItEndsOnlyOnceTheWorkersResponseHasBeenForwardedAndItsInvocationResponseHasArrived()
    {
        var completed = CompleteAsync();
        WorkerAnswers(StatusCodes.Status201Created);
        await Task.Delay(100);
        Assert.False(completed.IsCompleted);

        _answer.SetResult(Response(StatusResult.Types.Status.Success));
        await completed.WaitAsync(Bound);

        Assert.Equal(StatusCodes.Status201Created, _context.Response.StatusCode);
        Assert.False(_stopForward.IsCancellationRequested);
        Assert.Empty(_log.Lines);
    }

    [Fact]
    public async Task AnInvocationResponseThatArrivesFirstWaitsForTheWorkersResponseWithoutStoppingIt()
    {
        var completed = CompleteAsync();
        _answer.SetResult(Response(StatusResult.Types.Status.Success));
        await Task.Delay(100);
        Assert.False(completed.IsCompleted);

        WorkerAnswers(StatusCodes.Status202Accepted);
        await completed.WaitAsync(Bound);

        Assert.Equal(StatusCodes.Status202Accepted, _context.Response.StatusCode);
        Assert.False(_stopForward.IsCancellationRequested);
    }

    [Fact]
    public async Task AFailedInvocationWhoseResponseHasNotStartedGets500()
    {
        // The worker answers a function that threw with an empty 200, which YARP copies without starting the response;
        // the host's ExceptionMiddleware then answers the failed invocation with 500.
        await CompleteWhileAsync(() => WorkerAnswers(StatusCodes.Status200OK), () => _answer.SetResult(Response(StatusResult.Types.Status.Failure, "boom")));

        Assert.Equal(StatusCodes.Status500InternalServerError, _context.Response.StatusCode);
        Assert.Contains("[host] Echo failed: boom", _log.Lines);
    }

    [Fact]
    public async Task AFailedInvocationLeavesAResponseThatHasStartedAsItIs()
    {
        _context.Features.Set<IHttpResponseFeature>(new StartedResponse { StatusCode = StatusCodes.Status201Created });
        await CompleteWhileAsync(() => _forward.SetResult(ForwarderError.None), () => _answer.SetResult(Response(StatusResult.Types.Status.Failure, "boom")));

        Assert.Equal(StatusCodes.Status201Created, _context.Response.StatusCode);
        Assert.Contains("[host] Echo: the worker's response had started, so the client keeps what it got.", _log.Lines);
    }

    [Fact]
    public async Task AFunctionTimeoutStopsTheForwardAndGets500()
    {
        ForwardEndsWhenStopped();
        await CompleteWhileAsync(() => _answer.SetResult(null));

        Assert.True(_stopForward.IsCancellationRequested);
        Assert.Equal(StatusCodes.Status500InternalServerError, _context.Response.StatusCode);
    }

    [Fact]
    public async Task ALostWorkerStopsTheForwardAndGets503()
    {
        ForwardEndsWhenStopped();
        await CompleteWhileAsync(() => _answer.SetException(new WorkerUnavailableException("The worker process exited with code 137.")));

        Assert.True(_stopForward.IsCancellationRequested);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, _context.Response.StatusCode);
        Assert.Contains("[host] Echo failed: The worker process exited with code 137.", _log.Lines);
    }

    [Fact]
    public async Task AFailedForwardKeepsYarpsStatusWhenTheInvocationFailsToo()
    {
        await CompleteWhileAsync(
            () =>
            {
                _context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
                _forward.SetResult(ForwarderError.RequestTimedOut);
            },
            () => _answer.SetResult(Response(StatusResult.Types.Status.Failure, "Timed out waiting for the function start call.")));

        Assert.Equal(StatusCodes.Status504GatewayTimeout, _context.Response.StatusCode);
        Assert.Contains("[host] Echo failed: Timed out waiting for the function start call.", _log.Lines);
    }

    [Fact]
    public async Task AClientThatWentAwayEndsItQuietly()
    {
        ForwardEndsWhenStopped();
        await CompleteWhileAsync(() => _answer.SetCanceled());

        Assert.Equal(StatusCodes.Status502BadGateway, _context.Response.StatusCode);
        Assert.Empty(_log.Lines);
    }

    private Task CompleteAsync() =>
        ForwardedInvocation.CompleteAsync(_context.Response, "Echo", _forward.Task, _stopForward, _answer.Task, new HostLog(_log));

    /// <summary>Runs <see cref="ForwardedInvocation.CompleteAsync"/> while <paramref name="events"/> happen in order, and waits for it to end.</summary>
    private async Task CompleteWhileAsync(params Action[] events)
    {
        var completed = CompleteAsync();
        foreach (var happen in events)
        {
            happen();
        }

        await completed.WaitAsync(Bound);
    }

    /// <summary>What YARP does with a worker's response with no body: status and headers copied, the response not started.</summary>
    private void WorkerAnswers(int status)
    {
        _context.Response.StatusCode = status;
        _forward.SetResult(ForwarderError.None);
    }

    /// <summary>What YARP does when the forward is stopped before anything was sent.</summary>
    private void ForwardEndsWhenStopped() =>
        _stopForward.Token.Register(() =>
        {
            _context.Response.StatusCode = StatusCodes.Status502BadGateway;
            _forward.SetResult(ForwarderError.RequestCanceled);
        });

    private static StreamingMessage Response(StatusResult.Types.Status status, string? error = null) => new()
    {
        InvocationResponse = new InvocationResponse
        {
            Result = new StatusResult { Status = status, Exception = error is null ? null : new RpcException { Message = error } },
        },
    };

    private sealed class StartedResponse : HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
