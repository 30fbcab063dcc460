using Microsoft.Extensions.Logging;

namespace FunctionApp.Functions;

internal static partial class FunctionsLog
{
    [LoggerMessage(EventId = 100, EventName = "SecureEndpointCalled", Level = LogLevel.Debug,
        Message = "Secure endpoint called with API key {KeyName}")]
    public static partial void SecureEndpointCalled(this ILogger logger, string keyName);
}
