using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace FunctionsApiKey.LastUse;

/// <summary>
/// Request counts per key and UTC hour in one table: partition the key's name (encoded as last use encodes it), a row
/// per hour and writing instance, <c>yyyyMMddHH-&lt;instance&gt;</c>, with its <c>Allowed</c>, <c>Denied</c> and
/// <c>OverLimit</c> totals. An instance only ever replaces its own rows with larger totals, so a retried or repeated
/// round counts once, and no two instances write the same row, so no write needs a condition. Readers sum the rows of
/// an hour; the tools read the same table with <see cref="ReadAsync"/> and <see cref="ReadTotalsAsync"/>.
/// </summary>
public sealed class UsageTable : IUsageStore
{
    private const string AllowedProperty = "Allowed";
    private const string DeniedProperty = "Denied";
    private const string OverLimitProperty = "OverLimit";
    private const string HourFormat = "yyyyMMddHH";

    // A transaction holds at most 100 operations on one partition.
    private const int BatchSize = 100;

    private readonly TableClient _table;
    private bool _created;

    /// <summary>A usage table reached through <paramref name="table"/>.</summary>
    /// <param name="table">The table's client; the table is created on the first write if it does not exist.</param>
    public UsageTable(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    /// <inheritdoc/>
    public async Task RecordAsync(string instance, IReadOnlyList<KeyUsage> counts, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instance);
        ArgumentNullException.ThrowIfNull(counts);
        if (!_created)
        {
            await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
        }

        foreach (var key in counts.GroupBy(c => LastUseTable.RowKeyOf(c.KeyName), StringComparer.Ordinal))
        {
            if (key.Key.Length > LastUseTable.MaxRowKeyLength)
            {
                // LastUseTable already warns about such a name; its counts cannot be stored either.
                continue;
            }

            var actions = key.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(key.Key, RowOf(c.Hour, instance))
            {
                [AllowedProperty] = c.Allowed,
                [DeniedProperty] = c.Denied,
                [OverLimitProperty] = c.OverLimit,
            })).ToList();
            for (var start = 0; start < actions.Count; start += BatchSize)
            {
                await _table.SubmitTransactionAsync(actions.GetRange(start, Math.Min(BatchSize, actions.Count - start)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async Task<long> CountAllowedAsync(IReadOnlyList<string> keyNames, DateTimeOffset periodStart, DateTimeOffset periodEnd, string excludingInstance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyNames);
        long total = 0;
        foreach (var name in keyNames)
        {
            await foreach (var entity in QueryAsync(name, periodStart, periodEnd, ["RowKey", AllowedProperty], cancellationToken).ConfigureAwait(false))
            {
                if (!entity.RowKey.EndsWith("-" + excludingInstance, StringComparison.Ordinal))
                {
                    total += entity.GetInt64(AllowedProperty) ?? 0;
                }
            }
        }

        return total;
    }

    /// <summary>One key's counts per hour from <paramref name="from"/> up to <paramref name="to"/>, summed over instances; hours without requests are left out.</summary>
    /// <param name="keyName">The key.</param>
    /// <param name="from">The start of the first hour (UTC).</param>
    /// <param name="to">The end of the last hour (UTC), exclusive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The hours in order; empty when the table does not exist yet.</returns>
    public async Task<IReadOnlyList<KeyUsage>> ReadAsync(string keyName, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        var hours = new SortedDictionary<DateTimeOffset, KeyUsage>();
        await foreach (var entity in QueryAsync(keyName, from, to, null, cancellationToken).ConfigureAwait(false))
        {
            var hour = HourOf(entity.RowKey);
            var sum = hours.GetValueOrDefault(hour, new KeyUsage(keyName, hour, 0, 0, 0));
            hours[hour] = Add(sum, entity);
        }

        return [.. hours.Values];
    }

    /// <summary>Every key's counts from <paramref name="from"/> up to <paramref name="to"/>, summed over hours and instances, by key name.</summary>
    /// <param name="from">The start of the first hour (UTC).</param>
    /// <param name="to">The end of the last hour (UTC), exclusive.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The totals (<see cref="KeyUsage.Hour"/> is <paramref name="from"/>); empty when the table does not exist yet.</returns>
    public async Task<IReadOnlyDictionary<string, KeyUsage>> ReadTotalsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var totals = new Dictionary<string, KeyUsage>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {Hour(from)} and RowKey lt {Hour(to)}");
        try
        {
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var name = LastUseTable.NameOf(entity.PartitionKey);
                totals[name] = Add(totals.GetValueOrDefault(name, new KeyUsage(name, from, 0, 0, 0)), entity);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No instance has written yet.
        }

        return totals;
    }

    private async IAsyncEnumerable<TableEntity> QueryAsync(string keyName, DateTimeOffset from, DateTimeOffset to, string[]? select, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {LastUseTable.RowKeyOf(keyName)} and RowKey ge {Hour(from)} and RowKey lt {Hour(to)}");
        var pages = _table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var rows = pages.GetAsyncEnumerator();
        while (true)
        {
            try
            {
                if (!await rows.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // No instance has written yet.
                yield break;
            }

            yield return rows.Current;
        }
    }

    private static KeyUsage Add(KeyUsage sum, TableEntity entity) => sum with
    {
        Allowed = sum.Allowed + (entity.GetInt64(AllowedProperty) ?? 0),
        Denied = sum.Denied + (entity.GetInt64(DeniedProperty) ?? 0),
        OverLimit = sum.OverLimit + (entity.GetInt64(OverLimitProperty) ?? 0),
    };

    // An hour's rows sort together and in time order, before every later hour's.
    private static string RowOf(DateTimeOffset hour, string instance) => $"{Hour(hour)}-{instance}";

    private static string Hour(DateTimeOffset time) => time.UtcDateTime.ToString(HourFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset HourOf(string rowKey) =>
        new(DateTime.ParseExact(rowKey.AsSpan(0, HourFormat.Length), HourFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal), TimeSpan.Zero);
}
