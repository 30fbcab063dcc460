using System.Text.Json;
using FunctionApp.Testing;
using FunctionsApiKey;

namespace FunctionApp.Tests.Tool;

/// <summary>
/// Whoever can write a vault tag must not drive the terminal of whoever runs the tool: a control character in a tag
/// (ESC starts an escape sequence) reaches standard output and standard error only escaped, as <c>\u001b</c>.
/// </summary>
public sealed class ControlCharacterTests(ToolVaultFixture fixture) : IClassFixture<ToolVaultFixture>
{
    private const string Escape = "\u001b";

    [Fact]
    public async Task AnEscapeInATagIsPrintedEscapedByShowAndList()
    {
        Seed("escape-tags", new() { ["scopes"] = $"reports{Escape}[2J", ["rotated-from"] = $"old{Escape}]0;pwned\u0007" });

        var show = (await fixture.RunAsync("show", "escape-tags")).AssertExitCode(0);
        var list = (await fixture.RunAsync("list")).AssertExitCode(0);
        var json = (await fixture.RunAsync("show", "escape-tags", "--json")).AssertExitCode(0);

        Assert.Matches(@"^Scopes\s+reports\\u001b\[2J$", show.Row("Scopes"));
        Assert.Matches(@"^Replaces\s+old\\u001b\]0;pwned\\u0007$", show.Row("Replaces"));
        Assert.Contains(@"reports\u001b[2J", list.Row("escape-tags"), StringComparison.Ordinal);
        using var key = JsonDocument.Parse(json.Output);
        Assert.Equal($"reports{Escape}[2J", Assert.Single(key.RootElement.GetProperty("scopes").EnumerateArray()).GetString());
        foreach (var run in (ProcessRun[])[show, list, json])
        {
            Assert.DoesNotContain(Escape, run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("\u0007", run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Escape, run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnEscapeInTheNameOfAMisspeltTagIsPrintedEscapedInTheReason()
    {
        // An escape sequence without letters (OSC: set the window title, ended by BEL), so the tag still reads as 'scope'.
        Seed("escape-reason", new() { [$"scope{Escape}]0;\u0007"] = "reports" });

        var show = (await fixture.RunAsync("show", "escape-reason")).AssertExitCode(0);
        var list = (await fixture.RunAsync("list")).AssertExitCode(0);

        Assert.Contains(@"it has a tag named 'scope\u001b]0;\u0007'", string.Join(' ', show.OutputLines.Select(l => l.Trim())), StringComparison.Ordinal);
        Assert.Contains(@"Warning: the app leaves out 'escape-reason': it has a tag named 'scope\u001b]0;\u0007'", list.Error, StringComparison.Ordinal);
        foreach (var run in (ProcessRun[])[show, list])
        {
            Assert.DoesNotContain(Escape, run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Escape, run.Error, StringComparison.Ordinal);
        }
    }

    private void Seed(string name, Dictionary<string, string> tags) =>
        fixture.Vault.SetSecret("apikey-" + name, TestKeys.Sha256Text(ApiKeyFormat.Generate()), tags);
}
