using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using FunctionApp.Telemetry;
using FunctionApp.Testing;
using FunctionApp.Tests.Middleware;
using FunctionApp.Tests.TestDoubles;
using FunctionsApiKey.KeyRing;
using FunctionsApiKey.Middleware;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;

namespace FunctionApp.Tests.Telemetry;

/// <summary>
/// The worker's OpenTelemetry pipeline, built on the worker's real application builder with the app's own registration,
/// driven through the real middleware and key ring refresher, and read back from an in-memory exporter in place of
/// Application Insights.
/// </summary>
[Collection(ProcessWideMeters.Name)]
public sealed class WorkerTelemetryTests
{
    /// <summary>Any run of this many characters of a key in what is exported counts as a leak, as in the log hygiene test.</summary>
    private const int LeakWindow = 8;

    [Fact]
    public async Task DecisionsAndKeyRingLoadsArriveWithTheirDocumentedTagsAndNoKeyMaterial()
    {
        var partnerKey = TestKeys.NewValue();
        var reportsKey = TestKeys.NewValue();
        var strangerKey = TestKeys.NewValue();
        var metrics = new List<MetricSnapshot>();
        var logs = new List<LogRecord>();
        using (var host = BuildApp(new()
        {
            ["ApiKeys:Keys:partner"] = partnerKey,
            ["ApiKeys:Keys:reports-only"] = TestKeys.Sha256Text(reportsKey),
            ["ApiKeys:Keys:reports-only:Scopes"] = "reports",
        }, services => WorkerTelemetry.AddPipeline(services)
            .WithMetrics(pipeline => pipeline.AddInMemoryExporter(metrics))
            .WithLogging(pipeline => pipeline.AddInMemoryExporter(logs))))
        {
            var meterProvider = host.Services.GetRequiredService<MeterProvider>();
            _ = host.Services.GetRequiredService<LoggerProvider>();
            // The refresher the host would start, from the app's services; the host itself is not started, since the
            // worker's own hosted services would connect to a Functions host.
            using var refresher = ActivatorUtilities.CreateInstance<KeyRingRefresher>(host.Services);
            Assert.Null(await refresher.RefreshAsync(CancellationToken.None));
            var gate = host.Services.GetRequiredService<ApiKeyMiddleware>();

            Assert.True(await InvokeAsync(gate, partnerKey));
            Assert.True(await InvokeAsync(gate, partnerKey));
            Assert.False(await InvokeAsync(gate, reportsKey));
            Assert.False(await InvokeAsync(gate, strangerKey));
            Assert.False(await InvokeAsync(gate, key: null));
            Assert.True(meterProvider.ForceFlush());
        }

        var decisions = Points(metrics, "apikey.decisions");
        Assert.Equal(
            [
                "apikey.name=partner apikey.outcome=allowed faas.name=SecureEndpoint : 2",
                "apikey.name=reports-only apikey.outcome=scope_denied faas.name=SecureEndpoint : 1",
                "apikey.outcome=missing faas.name=SecureEndpoint : 1",
                "apikey.outcome=unknown faas.name=SecureEndpoint : 1",
            ],
            decisions.Select(p => $"{Tags(p)} : {p.GetSumLong()}").Order(StringComparer.Ordinal));
        var loads = Points(metrics, "apikey.keyring.load.duration");
        var load = Assert.Single(loads);
        Assert.Equal("apikey.load.result=success apikey.source=settings", Tags(load));
        Assert.Equal(1, load.GetHistogramCount());
        Assert.Contains(logs, l => l.CategoryName == "FunctionsApiKey.KeyRing" && l.FormattedMessage?.StartsWith("Loaded 2 API keys from settings", StringComparison.Ordinal) == true);

        string[] secrets = [partnerKey, reportsKey, strangerKey, .. new[] { partnerKey, reportsKey, strangerKey }.Select(k => TestKeys.Sha256Text(k)["sha256:".Length..])];
        var exported = metrics.SelectMany(m => m.MetricPoints).Select(Tags)
            .Concat(logs.Select(l => string.Join("\n", [l.FormattedMessage, .. l.Attributes?.Select(a => $"{a.Key}={a.Value}") ?? []])))
            .ToList();
        Assert.True(exported.Count >= 8, $"Expected plenty exported, got {exported.Count} items.");
        foreach (var text in exported)
        {
            foreach (var secret in secrets)
            {
                for (var i = 0; i + LeakWindow <= secret.Length; i++)
                {
                    Assert.False(text.Contains(secret.Substring(i, LeakWindow), StringComparison.Ordinal), $"Exported telemetry leaks part of a key: {text}");
                }
            }
        }
    }

    [Fact]
    public void WithoutAConnectionStringTheWorkerSetsUpNoExport()
    {
        using var host = BuildApp([], services => { }, exportToApplicationInsights: true);

        Assert.Null(host.Services.GetService<MeterProvider>());
        Assert.Null(host.Services.GetService<LoggerProvider>());
    }

    [Fact]
    public void WithAConnectionStringTheWorkerExportsToThatResourceAsTheUserAssignedIdentity()
    {
        const string connectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:1/";
        using var host = BuildApp(new()
        {
            [WorkerTelemetry.ConnectionStringSetting] = connectionString,
            [WorkerTelemetry.AuthenticationStringSetting] = "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD",
        }, services => { }, exportToApplicationInsights: true);

        var exporter = host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Options.DefaultName);
        Assert.Equal(connectionString, exporter.ConnectionString);
        Assert.IsType<ManagedIdentityCredential>(exporter.Credential);
        Assert.Contains(host.Services.GetRequiredService<IEnumerable<ServiceDescriptorList>>().Single().Descriptors, d => d.ServiceType == typeof(MeterProvider));
    }

    /// <summary>
    /// The worker's own builder with the registration of Program.cs, these settings on top, and
    /// <paramref name="configureTelemetry"/>; the host is built, not started (starting it would connect to a Functions host).
    /// </summary>
    private static IHost BuildApp(Dictionary<string, string?> settings, Action<IServiceCollection> configureTelemetry, bool exportToApplicationInsights = false)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Environment.EnvironmentName = Environments.Development;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing();
        if (exportToApplicationInsights)
        {
            builder.ExportTelemetryToApplicationInsights();
        }

        configureTelemetry(builder.Services);
        builder.Services.AddSingleton(new ServiceDescriptorList([.. builder.Services]));
        return builder.Build();
    }

    /// <summary>One request to the secure endpoint through the gate; true when the function ran.</summary>
    private static async Task<bool> InvokeAsync(ApiKeyMiddleware gate, string? key)
    {
        var context = new TestFunctionContext(MiddlewareHarness.SecureEndpoint);
        var request = context.AttachRequest();
        if (key is not null)
        {
            request.WithHeader("api-key", key);
        }

        var ran = false;
        await gate.Invoke(context, ctx =>
        {
            ran = true;
            ctx.GetInvocationResult().Value = request.CreateResponse();
            return Task.CompletedTask;
        });
        return ran;
    }

    /// <summary>The instrument's points as last exported (cumulative: each export, and disposing the host, exports them all again).</summary>
    private static List<MetricPoint> Points(List<MetricSnapshot> metrics, string name) =>
        metrics.LastOrDefault(m => m.Name == name)?.MetricPoints.ToList() ?? [];

    private static string Tags(MetricPoint point)
    {
        var tags = new List<string>();
        foreach (var tag in point.Tags)
        {
            tags.Add($"{tag.Key}={tag.Value}");
        }

        return string.Join(' ', tags.Order(StringComparer.Ordinal));
    }

    private sealed record ServiceDescriptorList(IReadOnlyList<ServiceDescriptor> Descriptors);
}
