using System.Text.Json.Nodes;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// <c>infra/main.bicep</c> compiled to ARM JSON by the Bicep CLI once for a test class, as Azure Resource Manager would
/// receive it from <c>azd up</c> or <c>az deployment group create</c>.
/// </summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("functionsapikey-infra-").FullName;

    internal ProcessRun Build { get; private set; } = null!;

    internal ArmTemplate Template { get; private set; } = null!;

    /// <summary>
    /// The template evaluated for environment <c>test</c> and <paramref name="keySource"/>, with a ring verification key
    /// (the template refuses the shared ring without one), and <paramref name="parameters"/> on top.
    /// </summary>
    internal ArmDeployment Deploy(string keySource = "keyvault", Dictionary<string, object?>? parameters = null)
    {
        var values = new Dictionary<string, object?> { ["environmentName"] = "test", ["keySource"] = keySource, ["ringVerificationKeys"] = "MFkw" };
        foreach (var (name, value) in parameters ?? [])
        {
            values[name] = value;
        }

        return Template.For(values);
    }

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
