using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;
using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FunctionsApiKey.LastUse;

/// <summary>
/// Last use per key in one table: an entity per key name (partition <c>keys</c>, row key the name) with its
/// <c>LastUsed</c> minute. Writing reads the stored times of a batch first and writes only those it moves forward, as
/// one transaction conditional on what it read, so a slower instance can never put a time back; the tools read the
/// same table with <see cref="ReadAsync"/>.
/// </summary>
public sealed class LastUseTable : ILastUseStore
{
    private const string Partition = "keys";
    private const string LastUsedProperty = "LastUsed";

    // A transaction holds at most 100 operations on one partition.
    private const int BatchSize = 100;

    // Another instance wrote in between: read again and retry. Each round lets at least one writer through and drops the
    // rows already at or past our time, so instances that flush together all get through within a few rounds; a random
    // pause between rounds keeps them from colliding in step.
    private const int Attempts = 10;
    private const int MaxPauseMilliseconds = 100;

    // Table Storage allows a row key of 1 KiB, counted in UTF-16 as it stores strings: 512 characters, which is also
    // where Azurite stops. One longer row key fails the whole transaction, so such a key is left out instead.
    internal const int MaxRowKeyLength = 512;

    private static readonly SearchValues<char> Forbidden = SearchValues.Create("/\\#?%");

    private readonly TableClient _table;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _notStorableLogged = new(StringComparer.Ordinal);

    /// <summary>A last-use table reached through <paramref name="table"/>.</summary>
    /// <param name="table">The table's client; the table is created on the first write if it does not exist.</param>
    public LastUseTable(TableClient table)
        : this(table, NullLogger.Instance)
    {
    }

    /// <summary>A last-use table that warns, once per key, about a key whose name cannot be a row key.</summary>
    internal LastUseTable(TableClient table, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async Task RecordAsync(IReadOnlyList<KeyLastUse> uses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uses);
        var rows = new List<(string Row, DateTimeOffset LastUsed)>(uses.Count);
        foreach (var use in uses)
        {
            var row = RowKeyOf(use.KeyName);
            if (row.Length <= MaxRowKeyLength)
            {
                rows.Add((row, use.LastUsed));
            }
            else if (_notStorableLogged.TryAdd(use.KeyName, true))
            {
                _logger.LastUseKeyNotStorable(use.KeyName, row.Length, MaxRowKeyLength);
            }
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Row, b.Row));
        for (var start = 0; start < rows.Count; start += BatchSize)
        {
            await WriteBatchAsync(rows.GetRange(start, Math.Min(BatchSize, rows.Count - start)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every key's last use as stored, by key name.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The times; empty when the table does not exist yet.</returns>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadAsync(CancellationToken cancellationToken = default)
    {
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        try
        {
            await foreach (var entity in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, select: ["RowKey", LastUsedProperty], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (entity.GetDateTimeOffset(LastUsedProperty) is { } lastUsed)
                {
                    times[NameOf(entity.RowKey)] = lastUsed;
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No instance has written yet.
        }

        return times;
    }

    private async Task WriteBatchAsync(List<(string Row, DateTimeOffset LastUsed)> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stored = await StoredAsync(batch[0].Row, batch[^1].Row, cancellationToken).ConfigureAwait(false);
                var actions = new List<TableTransactionAction>(batch.Count);
                foreach (var (row, lastUsed) in batch)
                {
                    var entity = new TableEntity(Partition, row) { [LastUsedProperty] = lastUsed };
                    if (!stored.TryGetValue(row, out var current))
                    {
                        actions.Add(new TableTransactionAction(TableTransactionActionType.Add, entity));
                    }
                    else if (current.LastUsed < lastUsed)
                    {
                        actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, current.ETag));
                    }
                }

                if (actions.Count > 0)
                {
                    await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < Attempts)
            {
                // Another instance added or moved one of these keys since the read.
                await Task.Delay(Random.Shared.Next(MaxPauseMilliseconds), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The stored times between two row keys; creates the table if it does not exist.</summary>
    private async Task<Dictionary<string, (DateTimeOffset LastUsed, ETag ETag)>> StoredAsync(string first, string last, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {first} and RowKey le {last}");
        var stored = new Dictionary<string, (DateTimeOffset, ETag)>(StringComparer.Ordinal);
        try
        {
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, select: ["RowKey", LastUsedProperty], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                stored[entity.RowKey] = (entity.GetDateTimeOffset(LastUsedProperty) ?? DateTimeOffset.MinValue, entity.ETag);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    /// <summary>
    /// A key name as a row key: the characters Table Storage forbids there (<c>/ \ # ?</c> and control characters) and
    /// <c>%</c> itself become <c>%XX</c>, so every name has one row and reads back as itself.
    /// </summary>
    internal static string RowKeyOf(string name)
    {
        if (!name.AsSpan().ContainsAny(Forbidden) && !name.Any(char.IsControl))
        {
            return name;
        }

        var row = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (Forbidden.Contains(c) || char.IsControl(c))
            {
                row.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                row.Append(c);
            }
        }

        return row.ToString();
    }

    internal static string NameOf(string rowKey)
    {
        if (!rowKey.Contains('%', StringComparison.Ordinal))
        {
            return rowKey;
        }

        var name = new StringBuilder(rowKey.Length);
        for (var i = 0; i < rowKey.Length; i++)
        {
            if (rowKey[i] == '%' && i + 2 < rowKey.Length && int.TryParse(rowKey.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                name.Append((char)code);
                i += 2;
            }
            else
            {
                name.Append(rowKey[i]);
            }
        }

        return name.ToString();
    }
}
