namespace FunctionApp.Tests.Packaging;

/// <summary>
/// Packing and building take both cores for half a minute. The timing-sensitive end-to-end tests (rotation under
/// load, function timeouts) must not compete with them, so these tests run alone, after the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
