using System.Collections.Concurrent;
using System.Text;

namespace FunctionApp.Testing;

/// <summary>Collects every line the test host and the worker write, for assertions about logs.</summary>
public sealed class LogCapture : TextWriter
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StringBuilder _current = new();

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines => [.. _lines];

    public override void Write(char value)
    {
        lock (_current)
        {
            if (value == '\n')
            {
                _lines.Enqueue(_current.ToString().TrimEnd('\r'));
                _current.Clear();
            }
            else
            {
                _current.Append(value);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_current)
        {
            _lines.Enqueue(_current.Append(value).ToString());
            _current.Clear();
        }
    }

    /// <summary>
    /// Waits until a line matching <paramref name="predicate"/> has been written, looking only at lines written after the
    /// first <paramref name="after"/> (e.g. a count of <see cref="Lines"/> taken earlier).
    /// </summary>
    public async Task<string> WaitForAsync(Func<string, bool> predicate, TimeSpan timeout, int after = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.Skip(after).FirstOrDefault(predicate) is { } line)
            {
                return line;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No log line matched within {timeout}. Last lines:\n{string.Join('\n', _lines.TakeLast(20))}");
    }
}
