using System.Text;
using Microsoft.Win32.SafeHandles;

namespace FunctionsApiKey.Tool.Cli;

/// <summary>
/// Standard output as a writer that reports a failed write. <see cref="Console.Out"/> drops writes to a pipe whose reader
/// has gone (EPIPE) without a word, so <c>create</c> could store a working key that nobody received; this writer throws
/// <see cref="IOException"/> instead, and the command can leave the key revoked.
/// </summary>
internal static class StandardOutput
{
    public static TextWriter Open()
    {
        // Only redirected output can be a pipe; on Windows, descriptor 1 is not a handle, and the console's writer stays.
        if (!Console.IsOutputRedirected || OperatingSystem.IsWindows())
        {
            return Console.Out;
        }

        var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true };
    }
}
