using System.Collections.Immutable;
using FunctionsApiKey;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>Keys with the built-in policies, each written as in a setting and read by its declaration, as a source reads it.</summary>
internal static class PolicyKeys
{
    public static ApiKey Create(string name, string value, params (string Property, string Text)[] policies)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var (property, text) in policies)
        {
            Assert.True(ApiKeyPolicies.All.Single(p => p.Name == property).TryCanonicalize(text, out var canonical, out var problem), problem);
            properties[property] = canonical;
        }

        return ApiKey.FromValue(name, value) with { Properties = properties.ToImmutable() };
    }
}
