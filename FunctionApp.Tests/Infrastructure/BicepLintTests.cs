namespace FunctionApp.Tests.Infrastructure;

/// <summary>infra/ builds and lints with the Bicep CLI, offline, with no warning at all (bicepconfig.json sets the rules).</summary>
public sealed class BicepLintTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public async Task TheTemplateLintsWithoutAWarning()
    {
        var lint = await BicepCli.RunAsync("lint", BicepCli.MainTemplate);

        Assert.True(lint.ExitCode == 0 && lint.Output.Trim().Length == 0 && lint.Error.Trim().Length == 0, $"bicep lint: {lint}");
    }

    [Fact]
    public void TheTemplateBuildsWithoutAWarning() =>
        Assert.True(compiled.Build.Output.Trim().Length == 0 && compiled.Build.Error.Trim().Length == 0, $"bicep build: {compiled.Build}");

    [Fact]
    public async Task LintReportsAWarningWhenThereIsOne()
    {
        var folder = Directory.CreateTempSubdirectory("functionsapikey-lint-").FullName;
        try
        {
            var template = Path.Combine(folder, "unused.bicep");
            await File.WriteAllTextAsync(template, "param unused string\n");

            var lint = await BicepCli.RunAsync("lint", template);

            Assert.Contains("no-unused-params", lint.Output + lint.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
