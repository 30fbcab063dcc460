using System.Collections.Immutable;
using FunctionsApiKey.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionApp.Tests.Middleware;

/// <summary>
/// The startup check of an app on ASP.NET Core integration: the gate must come after the integration, and every HTTP
/// function's route must make a pattern the integration's router accepts, with the prefix host.json sets.
/// </summary>
public sealed class AspNetCoreIntegrationValidatorTests : IDisposable
{
    private readonly DirectoryInfo _app = Directory.CreateTempSubdirectory("functionsapikey-routes-");

    public void Dispose() => _app.Delete(recursive: true);

    [Fact]
    public void AGateRegisteredBeforeTheIntegrationStopsTheAppNamingTheFix()
    {
        var result = Validate(placedAfter: false, routePrefix: "api", ("Orders", "orders"));

        Assert.True(result.Failed);
        Assert.Contains("call builder.ConfigureFunctionsWebApplication() first, then builder.UseApiKeyAuthentication()", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSiteRootAsTheBuiltInModelWritesItStopsTheAppWithTheRouteThatWorks()
    {
        var result = Validate(placedAfter: true, routePrefix: "", ("Root", "/"), ("SecureEndpoint", "secure-endpoint"));

        Assert.True(result.Failed);
        Assert.Contains("Function Root: ASP.NET Core integration maps it to the route pattern '//'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("for the site root use Route = \"{root:maxlength(0)?}\"", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("SecureEndpoint", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRootRouteThatWorksPassesWithAnEmptyPrefixAndUnderApi()
    {
        Assert.True(Validate(placedAfter: true, routePrefix: "", ("Root", AspNetCoreIntegrationValidator.RootRoute), ("SecureEndpoint", "secure-endpoint")).Succeeded);
        Assert.True(Validate(placedAfter: true, routePrefix: "api", ("Root", AspNetCoreIntegrationValidator.RootRoute)).Succeeded);
    }

    [Fact]
    public void WithoutARoutePrefixInHostJsonTheDefaultApiIsUsed()
    {
        var result = Validate(placedAfter: true, routePrefix: null, ("Root", "/"));

        Assert.Contains("'api//'", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("change the route, or host.json's extensions.http.routePrefix", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBuiltInModelIsNotChecked()
    {
        var result = Validate(placedAfter: false, routePrefix: "", aspNetCore: false, functions: ("Root", "/"));

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void AFunctionWithoutARouteTakesItsNameAsTheIntegrationDoes()
    {
        Assert.True(Validate(placedAfter: true, routePrefix: "", ("Orders", null)).Succeeded);
    }

    private ValidateOptionsResult Validate(bool placedAfter, string? routePrefix, params (string Name, string? Route)[] functions) =>
        Validate(placedAfter, routePrefix, aspNetCore: true, functions);

    private ValidateOptionsResult Validate(bool placedAfter, string? routePrefix, bool aspNetCore, params (string Name, string? Route)[] functions)
    {
        File.WriteAllText(Path.Combine(_app.FullName, "host.json"), routePrefix is null
            ? """{ "version": "2.0" }"""
            : $$"""{ "version": "2.0", "extensions": { "http": { "routePrefix": "{{routePrefix}}" } } }""");
        var worker = new WorkerOptions();
        if (aspNetCore)
        {
            worker.Capabilities["HttpUri"] = "http://localhost:54321/";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FUNCTIONS_APPLICATION_DIRECTORY"] = _app.FullName }).Build();
        var validator = new AspNetCoreIntegrationValidator(new GatePlacement(placedAfter), Options.Create(worker), configuration, new RoutedFunctions(functions));
        return validator.Validate(null, new AspNetCoreIntegrationCheck());
    }

    /// <summary>HTTP functions' metadata as the worker's source generator writes it: the route only inside the raw binding.</summary>
    private sealed class RoutedFunctions((string Name, string? Route)[] functions) : IFunctionMetadataProvider
    {
        public Task<ImmutableArray<IFunctionMetadata>> GetFunctionMetadataAsync(string directory) =>
            Task.FromResult(functions.Select(f => (IFunctionMetadata)new DefaultFunctionMetadata
            {
                Name = f.Name,
                RawBindings =
                [
                    f.Route is null
                        ? """{"name":"request","type":"httpTrigger","direction":"In","authLevel":"Anonymous","methods":["get"]}"""
                        : $$"""{"name":"request","type":"httpTrigger","direction":"In","authLevel":"Anonymous","methods":["get"],"route":"{{f.Route}}"}""",
                    """{"name":"$return","type":"http","direction":"Out"}""",
                ],
            }).ToImmutableArray());
    }
}
