using FunctionApp.Configuration;
using FunctionApp.Middleware;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// Every HTTP-triggered function is gated by an API key unless marked [AllowAnonymous].
builder.UseMiddleware<ApiKeyMiddleware>();
builder.Services.AddApiKeyAuthentication(builder.Configuration);

builder.Build().Run();
