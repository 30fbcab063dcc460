using Azure.Monitor.OpenTelemetry.Exporter;
using FunctionsApiKey;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace FunctionApp.Telemetry;

/// <summary>
/// The worker's telemetry: its log lines and the <c>FunctionsApiKey</c> meter (docs/monitoring.md), exported through
/// OpenTelemetry to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, as the template sets
/// it in Azure. Without it (local runs, the tests) nothing is exported from the worker and its log lines reach the host
/// as before. The exporter lives here, in the app, so the packages stay free of it.
/// </summary>
internal static class WorkerTelemetry
{
    /// <summary>Where to send telemetry: the Application Insights resource's connection string.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>
    /// How to authenticate, in the form the Functions host reads too: <c>Authorization=AAD;ClientId=&lt;client id&gt;</c>
    /// for a user-assigned identity. The template disables Application Insights' local authentication, so without
    /// this setting nothing would be accepted.
    /// </summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Exports the worker's logs and metrics to Application Insights when its connection string is set; otherwise does nothing.</summary>
    public static FunctionsApplicationBuilder ExportTelemetryToApplicationInsights(this FunctionsApplicationBuilder builder)
    {
        var connectionString = builder.Configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return builder;
        }

        var authentication = ApplicationInsightsAuthentication.Parse(builder.Configuration[AuthenticationStringSetting]);
        AddPipeline(builder.Services).UseAzureMonitorExporter(exporter =>
        {
            exporter.ConnectionString = connectionString;
            exporter.Credential = authentication.CreateCredential();
        });
        return builder;
    }

    /// <summary>
    /// What the worker collects, without an exporter: its logs (with their formatted message) and the package's meter.
    /// <c>UseFunctionsWorkerDefaults</c> tells the host that the worker exports its own logs, so the host does not
    /// forward them a second time.
    /// </summary>
    public static IOpenTelemetryBuilder AddPipeline(IServiceCollection services) =>
        services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithLogging(configureBuilder: null, configureOptions: logs => logs.IncludeFormattedMessage = true)
            .WithMetrics(metrics => metrics.AddMeter(ApiKeyDefaults.MeterName));
}
