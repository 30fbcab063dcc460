using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;

namespace FunctionApp.Tests.LastUse;

/// <summary>
/// Counts what a Table client sends: queries, transactions, and the entity writes inside each transaction (read from
/// the request lines of its multipart body), so tests can count writes per key.
/// </summary>
internal sealed partial class TableRequestCounter(TimeProvider? clock = null) : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<string> _writes = new();
    private readonly ConcurrentQueue<DateTimeOffset> _transactionTimes = new();
    private int _queries;
    private int _transactions;

    public int Queries => Volatile.Read(ref _queries);

    public int Transactions => Volatile.Read(ref _transactions);

    /// <summary>When each transaction was sent, by the clock given.</summary>
    public IReadOnlyList<DateTimeOffset> TransactionTimes => [.. _transactionTimes];

    /// <summary>Each entity written in a transaction, as its row key.</summary>
    public IReadOnlyList<string> Writes => [.. _writes];

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message)
    {
        var path = message.Request.Uri.Path;
        if (path.EndsWith("$batch", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _transactions);
            _transactionTimes.Enqueue((clock ?? TimeProvider.System).GetUtcNow());
            using var body = new MemoryStream();
            message.Request.Content!.WriteTo(body, CancellationToken.None);
            foreach (Match write in RowKeyInBody().Matches(System.Text.Encoding.UTF8.GetString(body.ToArray())))
            {
                _writes.Enqueue(System.Text.Json.JsonSerializer.Deserialize<string>(write.Groups["row"].Value)!);
            }
        }
        else if (message.Request.Method == RequestMethod.Get && path.Contains('(', StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _queries);
        }
    }

    // Every insert or update in a transaction carries its entity as JSON, with its row key.
    [GeneratedRegex("\"RowKey\":(?<row>\"(?:[^\"\\\\]|\\\\.)*\")")]
    private static partial Regex RowKeyInBody();
}
