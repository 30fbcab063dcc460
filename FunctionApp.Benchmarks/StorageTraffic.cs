namespace FunctionApp.Benchmarks;

/// <summary>Counts the storage requests a client sends (each retry too) and the response body bytes it receives.</summary>
internal sealed class StorageTraffic : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
{
    private long _requests;
    private long _bytes;

    public (long Requests, long Bytes) Totals => (Interlocked.Read(ref _requests), Interlocked.Read(ref _bytes));

    public override void OnReceivedResponse(Azure.Core.HttpMessage message)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, message.Response.Headers.ContentLength ?? 0);
    }
}
