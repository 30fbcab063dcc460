using FunctionApp.TestHost.Worker;

namespace FunctionApp.Tests.TestHost;

/// <summary>How the test host reads an app's worker.config.json and builds the worker's command line, as the Functions host does.</summary>
public sealed class WorkerConfigTests : IDisposable
{
    /// <summary>What Microsoft.Azure.Functions.Worker.Sdk writes for a framework-dependent build of an app called Orders.</summary>
    private const string SdkConfig = """
        {
          "description": {
            "language": "dotnet-isolated",
            "extensions": [ ".dll" ],
            "defaultExecutablePath": "dotnet",
            "defaultWorkerPath": "Orders.dll",
            "workerIndexing": "true",
            "canUsePlaceholder": true
          }
        }
        """;

    private static readonly Uri GrpcUri = new("http://127.0.0.1:50123/");

    private static readonly Dictionary<string, string> Isolated = new() { ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated" };

    private readonly string _app = Directory.CreateTempSubdirectory("workerconfig-").FullName;

    public WorkerConfigTests() => File.WriteAllText(Path.Combine(_app, "Orders.dll"), "");

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void TheSdksConfigStartsDotnetWithTheAppsAssemblyThenTheHostsSwitches()
    {
        var config = Load(SdkConfig);

        Assert.Equal("dotnet", config.ExecutablePath);
        Assert.Equal(_app, config.WorkerDirectory);
        Assert.Equal(
            [
                Path.Combine(_app, "Orders.dll"),
                "--host", "127.0.0.1", "--port", "50123", "--workerId", "w1", "--requestId", "r1", "--grpcMaxMessageLength", "2147483647",
                "--functions-uri", "http://127.0.0.1:50123/", "--functions-worker-id", "w1", "--functions-request-id", "r1",
                "--functions-grpc-max-message-length", "2147483647",
            ],
            config.Arguments(GrpcUri, "w1", "r1"));
    }

    [Fact]
    public void AnAbsoluteWorkerPathIsKeptAndPropertyNamesIgnoreLetterCase()
    {
        var elsewhere = Path.Combine(_app, "bin", "Worker.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(elsewhere)!);
        File.WriteAllText(elsewhere, "");

        var config = Load($$"""{ "Description": { "Language": "dotnet-isolated", "DefaultExecutablePath": "dotnet", "DefaultWorkerPath": "{{elsewhere}}" } }""");

        Assert.Equal(elsewhere, config.WorkerPath);
    }

    [Fact]
    public void ArgumentsGoBetweenTheExecutableAndTheWorkerPathWithTheWorkerDirectoryAndVariablesFilledIn()
    {
        var config = Load(
            """
            {
              "description": {
                "language": "dotnet-isolated",
                "defaultExecutablePath": "dotnet",
                "defaultWorkerPath": "Orders.dll",
                "arguments": [ "--additionalprobingpath", "{workerDirectoryPath}/probe", "--x=%ORDERS_MODE%", "--y=%NOT_SET%", "--z=%FUNCTIONS_WORKER_DIRECTORY%" ],
                "workerArguments": [ "--ignored-for-rpc-workers" ]
              }
            }
            """,
            ("ORDERS_MODE", "fast"),
            ("languageWorkers__dotnet-isolated__arguments", " --from-settings  one "));

        var arguments = config.Arguments(GrpcUri, "w1", "r1");

        Assert.Equal(
            ["--additionalprobingpath", _app + "/probe", "--x=fast", "--y=", "--z=" + _app, "--from-settings", "one", Path.Combine(_app, "Orders.dll"), "--host"],
            arguments.Take(9));
        Assert.DoesNotContain("--ignored-for-rpc-workers", arguments);
    }

    [Fact]
    public void AWorkerRootExecutableIsTheAppsOwnExecutable()
    {
        File.WriteAllText(Path.Combine(_app, "Orders"), "");

        var config = Load("""{ "description": { "language": "dotnet-isolated", "defaultExecutablePath": "{WorkerRoot}Orders", "defaultWorkerPath": "Orders.dll" } }""");

        Assert.Equal(Path.Combine(_app, "Orders"), config.ExecutablePath);
    }

    [Fact]
    public void AWorkerRootExecutableThatDoesNotExistFailsNamingTheFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Load("""{ "description": { "language": "dotnet-isolated", "defaultExecutablePath": "{WorkerRoot}Orders", "defaultWorkerPath": "Orders.dll" } }"""));

        Assert.Contains(Path.Combine(_app, "worker.config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_app, "Orders") + " does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAWorkerPathTheCommandLineHasNone()
    {
        var config = Load("""{ "description": { "language": "dotnet-isolated", "defaultExecutablePath": "dotnet" } }""");

        Assert.Null(config.WorkerPath);
        Assert.Equal("--host", config.Arguments(GrpcUri, "w1", "r1")[0]);
    }

    [Fact]
    public void AMissingFileFailsTheStartNamingIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => WorkerConfig.Load(_app, Isolated));

        Assert.Equal(Path.Combine(_app, "worker.config.json"), error.FileName);
        Assert.StartsWith(Path.Combine(_app, "worker.config.json") + " does not exist.", error.Message, StringComparison.Ordinal);
        Assert.Contains("--app", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWorkerPathThatDoesNotExistFailsTheStartNamingItAndTheFile()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Load(SdkConfig.Replace("Orders.dll", "Invoices.dll", StringComparison.Ordinal)));

        Assert.Contains(Path.Combine(_app, "worker.config.json"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_app, "Invoices.dll") + " does not exist", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is not valid JSON")]
    [InlineData("{ \"description\": ", "is not valid JSON")]
    [InlineData("[]", "has no \"description\" object")]
    [InlineData("{ \"language\": \"dotnet-isolated\" }", "has no \"description\" object")]
    [InlineData("{ \"description\": { \"defaultExecutablePath\": \"dotnet\" } }", "has no \"language\"")]
    [InlineData("{ \"description\": { \"language\": \"dotnet-isolated\", \"defaultWorkerPath\": \"Orders.dll\" } }", "has no \"defaultExecutablePath\"")]
    [InlineData("{ \"description\": { \"language\": \"dotnet-isolated\", \"defaultExecutablePath\": \"\" } }", "has no \"defaultExecutablePath\"")]
    [InlineData("{ \"description\": { \"language\": \"dotnet-isolated\", \"defaultExecutablePath\": \"{WorkerRoot}\" } }", "names no file after {WorkerRoot}")]
    [InlineData("{ \"description\": { \"language\": \"dotnet-isolated\", \"defaultExecutablePath\": \"dotnet\", \"arguments\": \"--x\" } }", "\"arguments\" that is not an array of strings")]
    [InlineData("{ \"description\": { \"language\": \"dotnet-isolated\", \"defaultExecutablePath\": \"dotnet\", \"defaultWorkerPath\": 1 } }", "defaultWorkerPath that is not a string")]
    [InlineData("{ \"description\": { \"language\": \"node\", \"defaultExecutablePath\": \"node\" } }", "describes a 'node' worker, but FUNCTIONS_WORKER_RUNTIME is 'dotnet-isolated'")]
    public void AFileTheHostWouldRefuseFailsTheStartNamingItAndTheProblem(string json, string problem)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Load(json));

        Assert.StartsWith(Path.Combine(_app, "worker.config.json") + " ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    private WorkerConfig Load(string json, params (string Name, string Value)[] settings)
    {
        File.WriteAllText(Path.Combine(_app, "worker.config.json"), json);
        var environment = new Dictionary<string, string>(Isolated);
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return WorkerConfig.Load(_app, environment);
    }
}
