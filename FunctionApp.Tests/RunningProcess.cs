using System.Diagnostics;
using System.Globalization;

namespace FunctionApp.Tests;

/// <summary>
/// A child process a test started (<see cref="ChildProcess.Start"/>) and must not leave behind: disposing it kills its
/// process tree if it is still running and waits, for a bounded time, until it has gone. Use it with <c>await using</c>,
/// so the kill runs in a <c>finally</c> whatever the test does.
/// </summary>
internal sealed class RunningProcess(Process process) : IAsyncDisposable
{
    /// <summary>How long a killed or signalled process may take to go: it bounds a hang, not a slow exit.</summary>
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20);

    public Process Process => process;

    public int Id => process.Id;

    /// <summary>Waits until it exits by itself.</summary>
    /// <exception cref="TimeoutException">It did not exit within <paramref name="timeout"/>; disposing kills it.</exception>
    public Task WaitForExitAsync(TimeSpan timeout) => process.WaitForExitAsync().WaitAsync(timeout);

    /// <summary>Sends it SIGTERM, as a service manager stopping it does, and returns once the signal is sent.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(ExitBound);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Kills its process tree, if it is still running, and waits until it has exited.</summary>
    public async Task KillAsync()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        await process.WaitForExitAsync().WaitAsync(ExitBound);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            process.Dispose();
        }
    }
}
