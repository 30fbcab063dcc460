using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Keys from the vault that ApiKeys__KeyVaultUri names.
builder.UseApiKeyAuthentication().AddKeyVault();

builder.Build().Run();
