using Azure.Data.Tables;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.LastUse;

/// <summary>
/// The app's <see cref="UsageTable"/>, reached through the package's named client on first use rather than at startup,
/// so a storage connection that is missing or wrong costs a warning per streak of failed rounds, never the app's start.
/// </summary>
internal sealed class TableUsageStore(IAzureClientFactory<TableServiceClient> clients, IOptions<LastUseOptions> options) : IUsageStore
{
    private UsageTable? _table;

    public Task RecordAsync(string instance, IReadOnlyList<KeyUsage> counts, CancellationToken cancellationToken) =>
        Table.RecordAsync(instance, counts, cancellationToken);

    public Task<long> CountAllowedAsync(IReadOnlyList<string> keyNames, DateTimeOffset periodStart, DateTimeOffset periodEnd, string excludingInstance, CancellationToken cancellationToken) =>
        Table.CountAllowedAsync(keyNames, periodStart, periodEnd, excludingInstance, cancellationToken);

    private UsageTable Table => _table ??= new UsageTable(clients.CreateClient(LastUseDefaults.ClientName).GetTableClient(options.Value.UsageTable));
}
