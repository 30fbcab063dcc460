namespace FunctionApp.Tests.Packaging;

/// <summary>A consumer app built against the packed packages.</summary>
/// <param name="OutputDirectory">Its build output, what the test host runs.</param>
/// <param name="Assets">What NuGet resolved for it.</param>
public sealed record BuiltConsumer(string OutputDirectory, ConsumerAssets Assets)
{
    /// <summary>Whether the build output holds <paramref name="assembly"/>.dll.</summary>
    public bool Ships(string assembly) => File.Exists(Path.Combine(OutputDirectory, assembly + ".dll"));
}
