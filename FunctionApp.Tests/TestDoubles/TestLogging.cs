using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FunctionApp.Tests.TestDoubles;

/// <summary>A real logger factory whose every logger writes into one collector, as the package's components create loggers by category.</summary>
internal static class TestLogging
{
    public static ILoggerFactory Factory(FakeLogCollector collector) =>
        LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
}
