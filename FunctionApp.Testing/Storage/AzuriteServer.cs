using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Azure.Core.Pipeline;
using FunctionApp.Testing.FakeKeyVault;

namespace FunctionApp.Testing.Storage;

/// <summary>
/// Azurite, the real Azure Storage emulator (the npm package pinned in <c>azurite/package-lock.json</c>), as a child
/// process on free loopback ports: Blob, Queue and Table over HTTPS with a throwaway certificate, bearer tokens checked
/// at Azurite's <c>--oauth basic</c> level (issuer, audience, lifetime; not the signature), the emulator's shared key
/// for connection strings, and nothing written to disk. Disposing it kills its process tree; should the test process
/// die first, Azurite sees its standard input close and exits too (<c>azurite/preload.cjs</c>).
/// </summary>
public sealed partial class AzuriteServer : IAsyncDisposable
{
    /// <summary>The emulator's one account; with an IP address for a host, the first path segment names it.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known key, published by Microsoft: the shared-key (connection string) path.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string[] Services = ["Blob", "Queue", "Table"];

    private readonly Process _process;
    private readonly string _workDirectory;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, Uri> _addresses = [];
    private readonly Queue<string> _output = new();

    private AzuriteServer(Process process, string workDirectory, X509Certificate2 certificate)
    {
        _process = process;
        _workDirectory = workDirectory;
        Certificate = certificate;
    }

    /// <summary>The folder holding package.json and node_modules, installed by the build of FunctionApp.Testing.</summary>
    public static string InstallDirectory { get; } =
        typeof(AzuriteServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AzuriteDirectory").Value!;

    /// <summary>The certificate Azurite serves: trust it through <c>SSL_CERT_FILE</c>, or pin it in an in-process client.</summary>
    public X509Certificate2 Certificate { get; }

    public int ProcessId { get; private set; }

    /// <summary>Completes with the exit code when the node process ends, for whatever reason.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Path-style, as Azurite serves an IP host: <c>https://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri BlobServiceUri => ServiceUri("Blob");

    public Uri QueueServiceUri => ServiceUri("Queue");

    public Uri TableServiceUri => ServiceUri("Table");

    /// <summary>The local-development path: a shared-key connection string to this instance's three endpoints.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=https;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={BlobServiceUri};QueueEndpoint={QueueServiceUri};TableEndpoint={TableServiceUri};";

    /// <summary>The last lines Azurite wrote, to explain a failed start.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>
    /// A transport for in-process Storage clients (<c>BlobClientOptions.Transport</c>, <c>TableClientOptions.Transport</c>)
    /// that trusts this instance's certificate and nothing else, and ignores any proxy from the environment.
    /// </summary>
    public HttpClientTransport CreateTransport() =>
        new(new SocketsHttpHandler { UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = TestCertificate.Pinned(Certificate) } });

    /// <summary>Starts Azurite and waits, at most <paramref name="startupTimeout"/> (30 s by default), until all three services listen.</summary>
    public static async Task<AzuriteServer> StartAsync(TimeSpan? startupTimeout = null)
    {
        var entryPoint = Path.Combine(InstallDirectory, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(entryPoint))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed in {InstallDirectory}. Building FunctionApp.Testing installs it (npm ci); if node_modules exists but is broken, delete it and build again.");
        }

        var workDirectory = Directory.CreateTempSubdirectory("azurite-").FullName;
        var certificate = TestCertificate.Create("localhost");
        var certificateFile = Path.Combine(workDirectory, "cert.pem");
        var keyFile = Path.Combine(workDirectory, "key.pem");
        await File.WriteAllTextAsync(certificateFile, certificate.ExportCertificatePem());
        using (var key = certificate.GetRSAPrivateKey()!)
        {
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        }

        var start = new ProcessStartInfo("node")
        {
            // Anything Azurite might write (it should write nothing in memory mode) lands in a folder deleted on dispose.
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])
        [
            "--require", Path.Combine(InstallDirectory, "preload.cjs"),
            entryPoint,

            // Port 0: the operating system picks free ports and Azurite prints them, so parallel tests never collide.
            "--blobHost", "127.0.0.1", "--blobPort", "0",
            "--queueHost", "127.0.0.1", "--queuePort", "0",
            "--tableHost", "127.0.0.1", "--tablePort", "0",
            "--inMemoryPersistence", "--extentMemoryLimit", "256",
            "--cert", certificateFile, "--key", keyFile,
            "--oauth", "basic",

            // Azure.Storage.Blobs 12.30.1 sends x-ms-version 2026-10-06; Azurite 3.37.0 knows up to 2026-06-06 and would
            // answer 400 InvalidHeaderValue. Skipping the check here keeps the app's clients at their defaults.
            "--skipApiVersionCheck",

            // Telemetry would try to reach the internet (and preload.cjs stubs it out only when it is off); the access
            // log would flood the test output.
            "--disableTelemetry", "--silent",
        ])
        {
            start.ArgumentList.Add(argument);
        }

        // Custom accounts would replace devstoreaccount1 and its well-known key.
        start.Environment.Remove("AZURITE_ACCOUNTS");

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new AzuriteServer(process, workDirectory, certificate);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Exited += (_, _) => server._exited.TrySetResult(process.ExitCode);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("Could not start `node`: Azurite needs Node.js on the PATH.", ex);
        }

        server.ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Task first;
        try
        {
            first = await Task.WhenAny(server._listening.Task, server.Exited).WaitAsync(startupTimeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"Azurite did not listen within the time allowed: {string.Join(" | ", server.Output)}", ex);
        }

        if (first == server.Exited)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"Azurite exited with code {server.Exited.Result} while starting: {string.Join(" | ", server.Output)}");
        }

        return server;
    }

    /// <summary>Kills the process tree, waits (bounded) until it has exited, and deletes the certificate files.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (ProcessId != 0 && !Exited.IsCompleted)
            {
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Exited in the meantime.
                }

                try
                {
                    await Exited.WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    // Killed but not yet reaped; the tests that look for leftover processes report it.
                }
            }
        }
        finally
        {
            _process.Dispose();
            Certificate.Dispose();
            try
            {
                Directory.Delete(_workDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Temporary files; nothing depends on them being gone.
            }
        }
    }

    private Uri ServiceUri(string service) => new(_addresses[service], AccountName);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 20)
            {
                _output.Dequeue();
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                _addresses[match.Groups["service"].Value] = new Uri(match.Groups["address"].Value + "/");
                if (Services.All(_addresses.ContainsKey))
                {
                    _listening.TrySetResult();
                }
            }
        }
    }

    [GeneratedRegex("^Azurite (?<service>Blob|Queue|Table) service is successfully listening at (?<address>https://127\\.0\\.0\\.1:[0-9]+)$")]
    private static partial Regex ListeningLine();
}
