using System.Text.Json.Nodes;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// <c>infra/main.bicep</c> compiled to ARM JSON by the Bicep CLI once for a test class, as Azure Resource Manager would
/// receive it from <c>azd up</c> or <c>az deployment group create</c>.
/// </summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("functionsapikey-infra-").FullName;

    internal BicepRun Build { get; private set; } = null!;

    internal ArmTemplate Template { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var output = Path.Combine(_folder, "main.json");
        Build = await BicepCli.RunAsync("build", BicepCli.MainTemplate, "--outfile", output);
        if (Build.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build failed: {Build}");
        }

        Template = new ArmTemplate(JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject());
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}
