using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FunctionsApiKey.LastUse;

/// <summary>Fails startup on a table name Table Storage would refuse, naming the setting.</summary>
public sealed partial class LastUseOptionsValidator : IValidateOptions<LastUseOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, LastUseOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.LastUseConnection))
        {
            errors.Add($"{ApiKeyDefaults.SectionName}:LastUseConnection must name a storage connection (default 'AzureWebJobsStorage').");
        }

        if (options.LastUseTable is null || !TableName().IsMatch(options.LastUseTable))
        {
            errors.Add($"{ApiKeyDefaults.SectionName}:LastUseTable '{options.LastUseTable}' is not a table name: 3 to 63 letters and digits, starting with a letter (default '{LastUseDefaults.TableName}').");
        }

        if (options.UsageTable is null || !TableName().IsMatch(options.UsageTable))
        {
            errors.Add($"{ApiKeyDefaults.SectionName}:UsageTable '{options.UsageTable}' is not a table name: 3 to 63 letters and digits, starting with a letter (default '{LastUseDefaults.UsageTableName}').");
        }
        else if (string.Equals(options.UsageTable, options.LastUseTable, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{ApiKeyDefaults.SectionName}:UsageTable '{options.UsageTable}' is the last-use table too; give it its own name (default '{LastUseDefaults.UsageTableName}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
