using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// A function's HTTP trigger as the worker's metadata describes it: only inside the raw binding JSON, whose property
/// names the worker and its ASP.NET Core integration read ignoring case.
/// </summary>
internal static class HttpTriggerBinding
{
    public const string Type = "httpTrigger";

    /// <summary>Whether the function is HTTP-triggered, and its trigger's route (null when none is set).</summary>
    public static bool TryRead(IFunctionMetadata function, out string? route)
    {
        route = null;
        foreach (var raw in function.RawBindings ?? [])
        {
            using var binding = JsonDocument.Parse(raw);
            string? type = null;
            string? candidate = null;
            foreach (var property in binding.RootElement.EnumerateObject())
            {
                if (string.Equals(property.Name, "type", StringComparison.OrdinalIgnoreCase))
                {
                    type = property.Value.GetString();
                }
                else if (string.Equals(property.Name, "route", StringComparison.OrdinalIgnoreCase))
                {
                    candidate = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                }
            }

            if (string.Equals(type, Type, StringComparison.OrdinalIgnoreCase))
            {
                route = candidate;
                return true;
            }
        }

        return false;
    }
}
