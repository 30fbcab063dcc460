using System.Net.Sockets;
using Azure;
using Azure.Identity;
using FunctionsApiKey.Diagnostics;

namespace FunctionsApiKey.KeyVault;

/// <summary>
/// Turns whatever a call to the vault throws, other than the caller's own cancellation, into one
/// <see cref="ApiKeySourceException"/>: an HTTP error by its status, a failed sign-in by its first line, and the vault out
/// of reach (a refused or reset connection, a name that does not resolve, a timeout, the SDK's retries run out) naming
/// the vault, so an operator sees which endpoint the app could not reach.
/// </summary>
/// <remarks>
/// The SDK reports the network in several shapes: <see cref="RequestFailedException"/> with status 0 around the
/// transport's <see cref="HttpRequestException"/>, <see cref="AggregateException"/> once its retries are spent (one
/// inner exception a try), and <see cref="TaskCanceledException"/> when its network timeout ends a try. Messages keep
/// their first line only: later lines of the SDK's can carry response headers. No secret value ever travels in a
/// request, so none can be in these. Public for any package that calls a vault beside the loader, such as the shared
/// ring reading its signing secret.
/// </remarks>
public static class VaultFailure
{
    /// <summary>Whether <paramref name="ex"/> is a failure to read the vault rather than the caller giving up.</summary>
    /// <param name="ex">What the vault call threw.</param>
    /// <param name="cancellationToken">The caller's token: once it is cancelled, nothing is a vault failure.</param>
    public static bool IsVaultFailure(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && ex is RequestFailedException or AuthenticationFailedException or HttpRequestException or IOException or SocketException or AggregateException or OperationCanceledException;

    /// <summary>The one line an <see cref="ApiKeySourceException"/> says about <paramref name="ex"/>, met reading <paramref name="vault"/>.</summary>
    /// <param name="vault">The vault's URI; only its host name is said.</param>
    /// <param name="ex">What the vault call threw.</param>
    public static string Describe(Uri vault, Exception ex) => ex switch
    {
        RequestFailedException { Status: > 0 } failed => $"HTTP {failed.Status} {failed.ErrorCode}".TrimEnd(),
        AuthenticationFailedException => $"authentication failed: {SafeText.FirstLine(ex.Message)}",
        _ => $"vault {vault.Host} unreachable: {Cause(ex)}",
    };

    /// <summary>
    /// The last try's cause, from the innermost exception that says something: the socket error when there is one
    /// ("ConnectionRefused"), else the first line of the transport's message.
    /// </summary>
    private static string Cause(Exception ex)
    {
        var cause = ex;
        for (Exception? next = ex; next is not null; next = next is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[^1] : next.InnerException)
        {
            if (next is SocketException socket)
            {
                return $"network error {socket.SocketErrorCode}";
            }

            if (next is not AggregateException)
            {
                cause = next;
                if (next is OperationCanceledException)
                {
                    break;
                }
            }
        }

        return SafeText.FirstLine(cause.Message);
    }

}
