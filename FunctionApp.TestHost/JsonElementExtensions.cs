using System.Text.Json;

namespace FunctionApp.TestHost;

/// <summary>Reading JSON the way the host reads its configuration files and binding metadata.</summary>
internal static class JsonElementExtensions
{
    /// <summary>The first property of that name ignoring letter case, as the host's readers match names; null if none or not an object.</summary>
    public static JsonElement? PropertyIgnoringCase(this JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
