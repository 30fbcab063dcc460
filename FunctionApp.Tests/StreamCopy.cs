using System.Text;

namespace FunctionApp.Tests;

/// <summary>
/// What a child process writes to one of its streams, read as it comes. A process it started and left running (or, after
/// a kill, one that escaped it) keeps the pipe open, so the end of the stream is awaited for a bounded time only
/// (<see cref="DrainAsync"/>), and what arrived is kept either way.
/// </summary>
internal sealed class StreamCopy
{
    private static readonly TimeSpan EndBound = TimeSpan.FromSeconds(10);

    private readonly StringBuilder _text = new();
    private readonly Task _copy;

    public StreamCopy(StreamReader reader) => _copy = CopyAsync(reader);

    /// <summary>Everything the stream held, once it ends, or what had arrived after <see cref="EndBound"/>, with a line saying so.</summary>
    public async Task<string> DrainAsync()
    {
        try
        {
            await _copy.WaitAsync(EndBound);
            return Text();
        }
        catch (TimeoutException)
        {
            return Text() + $"\n(the stream was still open after {EndBound.TotalSeconds} s: a process the program started holds it)";
        }
    }

    private async Task CopyAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_text)
            {
                _text.Append(buffer, 0, read);
            }
        }
    }

    private string Text()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}
