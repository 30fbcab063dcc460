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
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in (string[])["--require", Path.Combine(AzuriteServer.InstallDirectory, "preload.cjs"), "-e", "setInterval(() => {}, 1000)"])
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start)!;
        try
        {
            await Task.Delay(500);
            Assert.False(node.HasExited);

            node.StandardInput.Close();

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await node.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, node.ExitCode);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }
}
