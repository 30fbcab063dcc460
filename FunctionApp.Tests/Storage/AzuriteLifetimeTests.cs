using System.Diagnostics;
using System.Net.Sockets;
using FunctionApp.Testing.Storage;
using Xunit.Abstractions;

namespace FunctionApp.Tests.Storage;

/// <summary>Azurite is a node process the tests start: it must never outlive them, whether they dispose it or die.</summary>
public sealed class AzuriteLifetimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DisposingTheServerLeavesNoNodeProcessBehindAndFreesItsPorts()
    {
        var started = Stopwatch.StartNew();
        var azurite = await AzuriteServer.StartAsync();
        output.WriteLine($"Azurite listened after {started.ElapsedMilliseconds} ms.");
        var processId = azurite.ProcessId;
        var blobPort = azurite.BlobServiceUri.Port;
        using (var running = Process.GetProcessById(processId))
        {
            Assert.Equal("node", running.ProcessName);
        }

        await azurite.DisposeAsync();

        Assert.True(azurite.Exited.IsCompleted);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(processId));
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", blobPort));
    }

    [Fact]
    public async Task TheNodeProcessExitsWhenItsStandardInputCloses()
    {
        // What happens to Azurite when the test process dies without disposing it: the pipe to its stdin closes.
        await using var node = ChildProcess.Start(
            "node",
            ["--require", Path.Combine(AzuriteServer.InstallDirectory, "preload.cjs"), "-e", "setInterval(() => {}, 1000)"],
            new Dictionary<string, string?>(),
            Environment.CurrentDirectory);
        await Task.Delay(500);
        Assert.False(node.Process.HasExited);

        node.Process.StandardInput.Close();

        await node.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, node.Process.ExitCode);
    }
}
