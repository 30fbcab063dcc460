using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsApiKey.Middleware;

/// <summary>
/// The request's headers as the host also sends them in the built-in HTTP model: the HTTP trigger's <c>Headers</c>
/// binding data, a JSON object of each header's value (repeated lines comma-joined, empty ones left out, as in the
/// request data). Reading one header there costs a few hundred nanoseconds; binding the request data through the
/// worker's converters, as <c>GetHttpRequestDataAsync()</c> does, cost most of the gate's time on the allowed path in
/// the e2e benchmark's profile (see FunctionApp.Benchmarks/README.md).
/// </summary>
internal static class TriggerHeaders
{
    private const string BindingDataName = "Headers";

    /// <summary>Reads <paramref name="headerName"/> from the invocation's <c>Headers</c> binding data, when the host sent it.</summary>
    /// <returns>False when there is no such binding data, or it is not a JSON object of strings: then read the request data.</returns>
    public static bool TryRead(FunctionContext context, string headerName, out string? value, out int count)
    {
        value = null;
        count = 0;
        return context.BindingContext.BindingData.TryGetValue(BindingDataName, out var data)
            && data is string json
            && TryRead(json, headerName, out value, out count);
    }

    /// <summary>Finds <paramref name="headerName"/>, ignoring case, in a JSON object of header values.</summary>
    /// <param name="json">The binding data.</param>
    /// <param name="headerName">The header to find.</param>
    /// <param name="value">Its value; null when absent.</param>
    /// <param name="count">How many properties had that name: 0, 1, or more when the object repeats it.</param>
    public static bool TryRead(string json, string headerName, out string? value, out int count)
    {
        value = null;
        count = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            Span<char> name = stackalloc char[headerName.Length];
            string? found = null;
            var times = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var matches = IsName(ref reader, headerName, name);
                if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Null))
                {
                    return false;
                }

                if (matches)
                {
                    found = reader.GetString();
                    times++;
                }
            }

            // One whole object and nothing after it (reading on throws on trailing text), or the request data decides.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }

            (value, count) = (found, times);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether the current property name is <paramref name="headerName"/> in any letter case, without allocating.</summary>
    private static bool IsName(ref Utf8JsonReader reader, string headerName, scoped Span<char> scratch)
    {
        if (reader.ValueIsEscaped)
        {
            return string.Equals(reader.GetString(), headerName, StringComparison.OrdinalIgnoreCase);
        }

        // Header names are ASCII, one byte a character: a name of another length cannot match.
        return reader.ValueSpan.Length == headerName.Length
            && reader.CopyString(scratch) == headerName.Length
            && MemoryExtensions.Equals(scratch, headerName, StringComparison.OrdinalIgnoreCase);
    }
}
