using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Keys from settings: ApiKeys__Keys__<name>.
builder.UseApiKeyAuthentication();

builder.Build().Run();
