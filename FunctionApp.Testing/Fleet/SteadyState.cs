namespace FunctionApp.Testing.Fleet;

/// <summary>What <see cref="SharedRingFleet.ObserveAsync"/> saw over a window with no change to the fleet.</summary>
/// <param name="Window">How long it watched.</param>
/// <param name="TimerRuns">Scheduled publisher runs started in the window, per instance (in <see cref="FleetInstance.Number"/> order).</param>
/// <param name="VaultListRequests">Pages of the vault's secret listing asked for in the window (each publisher run lists it).</param>
/// <param name="VaultRequests">All vault requests past the auth challenge in the window.</param>
/// <param name="MostPublishersAtOnce">The most instances seen holding the publisher's lease at one time.</param>
public sealed record SteadyState(TimeSpan Window, IReadOnlyList<int> TimerRuns, int VaultListRequests, int VaultRequests, int MostPublishersAtOnce);
