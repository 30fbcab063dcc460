using System.Text.Json.Nodes;
using FunctionApp.TestHost.Rpc;

namespace FunctionApp.Tests.TestHost;

/// <summary>Function metadata in the shape the worker's source-generated provider sends it.</summary>
internal static class TestFunctionMetadata
{
    /// <summary>An HTTP-triggered function; a null route leaves the property out, no methods means any method.</summary>
    public static RpcFunctionMetadata Http(string name, string? route, params string[] methods)
    {
        var trigger = new JsonObject
        {
            ["name"] = "request",
            ["direction"] = "In",
            ["type"] = "httpTrigger",
            ["authLevel"] = "Anonymous",
        };
        if (methods.Length > 0)
        {
            trigger["methods"] = new JsonArray([.. methods.Select(m => JsonValue.Create(m))]);
        }

        if (route is not null)
        {
            trigger["route"] = route;
        }

        return new RpcFunctionMetadata
        {
            Name = name,
            FunctionId = "id-" + name,
            RawBindings = { trigger.ToJsonString(), """{"name":"$return","type":"http","direction":"Out"}""" },
        };
    }

    /// <summary>A timer-triggered function; <paramref name="properties"/> adds binding properties such as <c>runOnStartup</c>.</summary>
    public static RpcFunctionMetadata Timer(string name, string schedule, params (string Name, JsonNode? Value)[] properties)
    {
        var trigger = new JsonObject
        {
            ["name"] = "timer",
            ["direction"] = "In",
            ["type"] = "timerTrigger",
            ["schedule"] = schedule,
        };
        foreach (var (property, value) in properties)
        {
            trigger[property] = value;
        }

        return new RpcFunctionMetadata { Name = name, FunctionId = "id-" + name, RawBindings = { trigger.ToJsonString() } };
    }
}
