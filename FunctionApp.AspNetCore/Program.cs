using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration first: the gate must see the request the integration hands over, and the app stops at
// startup, saying so, if the order is the other way round.
builder.ConfigureFunctionsWebApplication();

// Every HTTP-triggered function needs a key in the api-key header unless marked [AllowAnonymous]. Keys come from
// settings (ApiKeys__Keys__<name>), or from Key Vault when ApiKeys__KeyVaultUri is set.
builder.UseApiKeyAuthentication().AddKeyVault().AddRedisRateLimits();

builder.Build().Run();
