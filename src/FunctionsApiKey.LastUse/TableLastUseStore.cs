using Azure.Data.Tables;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.LastUse;

/// <summary>
/// The app's <see cref="LastUseTable"/>, reached through the package's named client on first use rather than at
/// startup, so a storage connection that is missing or wrong costs a warning per streak of failed rounds, never the
/// app's start.
/// </summary>
internal sealed class TableLastUseStore(IAzureClientFactory<TableServiceClient> clients, IOptions<LastUseOptions> options, ILoggerFactory loggerFactory) : ILastUseStore
{
    private LastUseTable? _table;

    public Task RecordAsync(IReadOnlyList<KeyLastUse> uses, CancellationToken cancellationToken)
    {
        _table ??= new LastUseTable(
            clients.CreateClient(LastUseDefaults.ClientName).GetTableClient(options.Value.LastUseTable),
            loggerFactory.CreateLogger(ApiKeyDefaults.KeyRingLogCategory));
        return _table.RecordAsync(uses, cancellationToken);
    }
}
