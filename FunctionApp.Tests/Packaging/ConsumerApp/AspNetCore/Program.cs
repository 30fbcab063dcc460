using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// As Azure's templates start, then the gate after the integration, so it sees the forwarded request. Keys from
// settings, or from the vault that ApiKeys__KeyVaultUri names.
builder.ConfigureFunctionsWebApplication();
builder.UseApiKeyAuthentication().AddKeyVault();

builder.Build().Run();
