using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using Azure.Identity;

namespace FunctionsApiKey.Tool.Cli;

/// <summary>Turns what the Azure SDK throws into a message that says what to do, and an exit code.</summary>
internal static class Failures
{
    /// <param name="exception">What was thrown.</param>
    /// <param name="target">What was being reached, e.g. <c>vault myvault.vault.azure.net</c>.</param>
    /// <param name="role">The role the command needs there, named when access is denied.</param>
    public static ToolException Explain(Exception exception, string target, string role)
    {
        var ex = Unwrap(exception);
        return ex switch
        {
            ToolException tool => tool,
            CredentialUnavailableException or AuthenticationFailedException => new(ExitCodes.NoCredential,
                $"No Azure credential could sign in ({FirstLine(ex.Message)}). Sign in with 'az login' (or 'azd auth login'), or choose a credential with --credential.", ex),
            TableTransactionFailedException { Status: 403 } or RequestFailedException { Status: 403 } when IsFirewall(ex) => new(ExitCodes.AccessDenied,
                $"The {target} refused the request from this network (its firewall): allow your address, or run the tool where the app's network can reach it.", ex),
            RequestFailedException { Status: 403 } => new(ExitCodes.AccessDenied,
                $"The signed-in identity may not do this in the {target}: it needs the role '{role}' there, e.g. az role assignment create --role \"{role}\" --assignee <you> --scope <the resource id>. ({Action(ex)})", ex),
            RequestFailedException { Status: 401 } => new(ExitCodes.NoCredential,
                $"The {target} did not accept the signed-in identity's token ({FirstLine(ex.Message)}); check the tenant with 'az account show'.", ex),
            RequestFailedException { Status: 429 } => new(ExitCodes.Throttled,
                $"The {target} is throttling requests (HTTP 429) and kept doing so through the retries; try again in a minute.", ex),
            RequestFailedException { Status: 0 } when Find<SocketException>(ex) is { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => new(ExitCodes.Unreachable,
                $"The {target} does not exist: its name does not resolve. Check --vault (or ApiKeys__KeyVaultUri), e.g. with 'az keyvault list'.", ex),
            RequestFailedException { Status: 0 } or HttpRequestException or SocketException => new(ExitCodes.Unreachable,
                $"The {target} cannot be reached: {FirstLine(ex.Message)}", ex),
            RequestFailedException failed => new(ExitCodes.Unexpected,
                $"The {target} answered HTTP {failed.Status} {failed.ErrorCode}: {FirstLine(failed.Message)}", ex),
            _ => new(ExitCodes.Unexpected, $"{ex.GetType().Name}: {FirstLine(ex.Message)}", ex),
        };
    }

    private static Exception Unwrap(Exception ex)
    {
        while (true)
        {
            switch (ex)
            {
                case AggregateException { InnerExceptions.Count: > 0 } aggregate:
                    ex = aggregate.InnerExceptions[^1];
                    continue;
                case ApiKeySourceException { InnerException: { } inner }:
                    ex = inner;
                    continue;
                default:
                    return ex;
            }
        }
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsFirewall(Exception ex) => ex.Message.Contains("ForbiddenByFirewall", StringComparison.Ordinal);

    // The service names the data action it refused ("Action: '…'") in its message.
    private static string Action(Exception ex)
    {
        var message = ex.Message;
        var start = message.IndexOf("Action: '", StringComparison.Ordinal);
        if (start < 0)
        {
            return $"HTTP 403 {(ex as RequestFailedException)?.ErrorCode}".TrimEnd();
        }

        start += "Action: '".Length;
        var end = message.IndexOf('\'', start);
        return end < 0 ? "HTTP 403" : $"refused: {message[start..end]}";
    }

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
