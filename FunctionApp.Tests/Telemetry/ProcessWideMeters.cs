namespace FunctionApp.Tests.Telemetry;

/// <summary>
/// An OpenTelemetry meter provider listens to every meter of a name in the process, not only those of its own app, so
/// a key ring loaded by a test running alongside showed up as a second load point. Tests that read exported
/// measurements of the FunctionsApiKey meter therefore run with no other test running.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeters
{
    public const string Name = "Process-wide meters";
}
