using FunctionApp.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Every HTTP-triggered function needs a key in the api-key header unless marked [AllowAnonymous]. Keys come from
// settings (ApiKeys__Keys__<name>), from Key Vault when ApiKeys__KeyVaultUri is set, or from the shared ring the
// PublishKeyRing timer function publishes when ApiKeys__KeySource=sharedring. Each key's last use goes to a table in
// the app's storage account (AzureWebJobsStorage), once a minute.
// Rate limits are shared by all instances through Redis when ApiKeys__Redis__Endpoint (or __ConnectionString) is set.
builder.UseApiKeyAuthentication().AddKeyVault().AddSharedKeyRing().AddLastUseTable().AddRedisRateLimits();

// In Azure (APPLICATIONINSIGHTS_CONNECTION_STRING set), the worker's logs and the FunctionsApiKey meter go to
// Application Insights through OpenTelemetry, authenticated by the app's managed identity.
builder.ExportTelemetryToApplicationInsights();

builder.Build().Run();
