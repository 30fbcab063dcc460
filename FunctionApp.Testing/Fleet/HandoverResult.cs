namespace FunctionApp.Testing.Fleet;

/// <summary>What <see cref="SharedRingFleet.HandOverAsync"/> saw, all times from the moment the publisher was killed.</summary>
/// <param name="Killed">The instance that published and was killed.</param>
/// <param name="TookOver">The instance whose timer ran next.</param>
/// <param name="Handover">From the kill to the first scheduled publisher run on another instance.</param>
/// <param name="VaultRequestsDuringHandover">Vault requests (past the auth challenge) from the kill until that run.</param>
/// <param name="RevokedKeyRefusedEverywhere">When the key revoked in the vault at the kill was refused by every surviving instance from then on.</param>
/// <param name="KeyAnswers">Answers to the valid key on the surviving instances, polled throughout.</param>
/// <param name="KeyFailures">Those answers that were not 200 (a failed request counts as status 0), with their statuses.</param>
/// <param name="MostPublishersAtOnce">The most instances seen holding the publisher's lease at one time, sampled throughout.</param>
public sealed record HandoverResult(
    int Killed,
    int TookOver,
    TimeSpan Handover,
    int VaultRequestsDuringHandover,
    TimeSpan RevokedKeyRefusedEverywhere,
    int KeyAnswers,
    IReadOnlyList<int> KeyFailures,
    int MostPublishersAtOnce);
