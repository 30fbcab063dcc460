using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Every HTTP-triggered function needs a key in the api-key header unless marked [AllowAnonymous]. Keys come from
// Key Vault when ApiKeys__KeyVaultUri is set, else from settings (ApiKeys__Keys__<name>).
builder.UseApiKeyAuthentication().AddKeyVault();

builder.Build().Run();
