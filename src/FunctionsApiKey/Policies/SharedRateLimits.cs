namespace FunctionsApiKey.Policies;

/// <summary>
/// The rate limits this instance shares with the others through the app's <see cref="IRateLimitBudgetStore"/>: a
/// <see cref="SharedBudget"/> per partition with a rate limit, and whether the store is answering. Registered only when a
/// store is; <see cref="PolicyBook"/> gives each new partition its budget here.
/// </summary>
internal sealed class SharedRateLimits(IRateLimitBudgetStore store)
{
    // False until the first take answers: an instance counts alone while it connects, rather than refuse everything.
    private volatile bool _storeAnswers;
    private volatile IReadOnlyList<(string Partition, SharedBudget Budget)> _budgets = [];

    public IRateLimitBudgetStore Store { get; } = store;

    /// <summary>Whether the store is configured; when not, limits are counted per instance as without one.</summary>
    public bool IsEnabled => Store.IsEnabled;

    /// <summary>False until the first take succeeds, and from a failed take until one succeeds again: meanwhile each partition counts on this instance.</summary>
    public bool StoreAnswers
    {
        get => _storeAnswers;
        internal set => _storeAnswers = value;
    }

    /// <summary>The budgets of the key ring in force, for the refiller.</summary>
    public IReadOnlyList<(string Partition, SharedBudget Budget)> Budgets => _budgets;

    public SharedBudget Create(ApiKeyRateLimit limit) => new(limit, this);

    /// <summary>Called with each new ring's partitions.</summary>
    public void Track(IEnumerable<PolicyPartition> partitions) =>
        _budgets = [.. partitions.Where(p => p.Budget is not null).Select(p => (p.Name, p.Budget!))];
}
