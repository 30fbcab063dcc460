namespace FunctionApp.Tests;

/// <summary>
/// The sample's protected function, <c>GET /secure-endpoint</c>, called as a client calls it, with the key in the
/// <c>api-key</c> header: the one call every end-to-end test makes of a running worker.
/// </summary>
internal static class SecureEndpoint
{
    /// <summary>A GET of the function with <paramref name="key"/> in the <c>api-key</c> header; without the header when null.</summary>
    public static HttpRequestMessage Request(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/secure-endpoint");
        if (key is not null)
        {
            request.Headers.Add("api-key", key);
        }

        return request;
    }

    /// <summary>Sends one request with <paramref name="key"/> to the worker behind <paramref name="client"/> and returns the status.</summary>
    public static async Task<int> CallAsync(HttpClient client, string key)
    {
        using var request = Request(key);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>
    /// Calls the worker behind <paramref name="client"/> every 100 ms until the status is <paramref name="expected"/>, for at
    /// most <paramref name="timeout"/>, and returns the last status.
    /// </summary>
    public static async Task<int> CallUntilAsync(HttpClient client, string key, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int status;
        do
        {
            status = await CallAsync(client, key);
            if (status == expected)
            {
                return status;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        return status;
    }
}
