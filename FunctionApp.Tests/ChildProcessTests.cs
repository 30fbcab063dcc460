using System.Globalization;

namespace FunctionApp.Tests;

/// <summary>The child-process helper every test that runs a program uses: what a run returns, and that nothing it started outlives it.</summary>
public sealed class ChildProcessTests
{
    private static readonly Dictionary<string, string?> NoChange = [];

    [Fact]
    public async Task ARunReturnsTheExitCodeBothStreamsAndReadsItsInput()
    {
        var run = await ChildProcess.RunAsync("bash", ["-c", "read line; echo \"out $line\"; echo \"err $GREETING\" >&2; exit 3"], new Dictionary<string, string?> { ["GREETING"] = "hello" }, Environment.CurrentDirectory, "in\n", TimeSpan.FromSeconds(30));

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("out in\n", run.Output);
        Assert.Equal("err hello\n", run.Error);
    }

    [Fact]
    public async Task ARunThatOutlivesItsTimeoutIsKilledWithWhatItStarted()
    {
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() =>
            ChildProcess.RunAsync("bash", ["-c", "sleep 300 & echo $!; wait"], NoChange, Environment.CurrentDirectory, input: null, TimeSpan.FromSeconds(2)));

        // The message holds what it printed: the id of the sleep it left running in the background.
        var sleep = int.Parse(timedOut.Message.Split('\n').Single(l => l.Length > 0 && l.All(char.IsAsciiDigit)), CultureInfo.InvariantCulture);
        Assert.True(await GoneAsync(sleep), $"The background process {sleep} is still running.");
    }

    [Fact]
    public async Task DisposingAStartedProcessKillsItsWholeTree()
    {
        int shell;
        int sleep;
        await using (var started = ChildProcess.Start("bash", ["-c", "sleep 300 & echo $!; wait"], NoChange, Environment.CurrentDirectory))
        {
            shell = started.Id;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            sleep = int.Parse((await started.Process.StandardOutput.ReadLineAsync(timeout.Token))!, CultureInfo.InvariantCulture);
            Assert.False(await GoneAsync(sleep, TimeSpan.Zero));
        }

        Assert.True(await GoneAsync(shell), $"The shell {shell} is still running.");
        Assert.True(await GoneAsync(sleep), $"Its background process {sleep} is still running.");
    }

    [Fact]
    public async Task TerminateSendsSigtermAndTheProcessCanExitCleanly()
    {
        await using var started = ChildProcess.Start("bash", ["-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 0.1; done"], NoChange, Environment.CurrentDirectory);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("ready", await started.Process.StandardOutput.ReadLineAsync(timeout.Token));

        await started.TerminateAsync();
        await started.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, started.Process.ExitCode);
    }

    /// <summary>
    /// Whether the process has gone within <paramref name="within"/> (5 s unless given). A zombie counts as gone: it has
    /// exited, and only waits for a parent, which in a container may never reap it.
    /// </summary>
    private static async Task<bool> GoneAsync(int processId, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            string stat;
            try
            {
                stat = await File.ReadAllTextAsync($"/proc/{processId}/stat");
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                return true;
            }

            // The state follows the command name in parentheses, which may itself hold spaces.
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z'))
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }
    }
}
