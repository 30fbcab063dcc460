using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FunctionApp.TestHost.Timers;

/// <summary>
/// What a timer function receives. The host hands the extension's <c>TimerInfo</c> to the worker as JSON
/// (<c>GrpcMessageConversionExtensions.ToRpcDefault</c>: Newtonsoft.Json's defaults), so the payload has its public
/// properties in declaration order: <c>Schedule</c> (whose only public property is the obsolete <c>AdjustForDST</c>),
/// <c>ScheduleStatus</c> (null unless the schedule is monitored) and <c>IsPastDue</c>, with local times in ISO 8601
/// with their offset. The worker's <c>TimerInfoConverter</c> reads the last two, ignoring case.
/// </summary>
/// <param name="Schedule">The function's schedule.</param>
/// <param name="ScheduleStatus">The monitored schedule's state; null when the schedule is not monitored.</param>
/// <param name="IsPastDue">Whether this run makes up for an occurrence missed while the host was down.</param>
internal sealed record TimerInfo(TimerSchedule Schedule, ScheduleStatus? ScheduleStatus, bool IsPastDue)
{
    /// <summary>Newtonsoft.Json's format for a local <see cref="DateTime"/>: seconds, any fraction, and the offset.</summary>
    private const string DateTimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The payload, e.g. <c>{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}</c>.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            // The extension's property names, which this record shares (the payload is pinned by the test host's tests).
            json.WriteStartObject(nameof(Schedule));
            json.WriteBoolean("AdjustForDST", Schedule.AdjustsForDaylightSaving);
            json.WriteEndObject();
            if (ScheduleStatus is { } status)
            {
                json.WriteStartObject(nameof(ScheduleStatus));
                json.WriteString("Last", Format(status.Last));
                json.WriteString("Next", Format(status.Next));
                json.WriteString("LastUpdated", Format(status.LastUpdated));
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull(nameof(ScheduleStatus));
            }

            json.WriteBoolean(nameof(IsPastDue), IsPastDue);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Format(DateTimeOffset time) => time.ToString(DateTimeFormat, CultureInfo.InvariantCulture);
}
