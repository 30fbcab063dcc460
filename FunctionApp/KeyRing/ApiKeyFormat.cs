namespace FunctionApp.KeyRing;

/// <summary>
/// What a key value may look like: 1 to <c>maxLength</c> visible ASCII characters, no comma. The same rule applies to
/// a presented header value and to a plaintext key at its source, so a key that is accepted at load can be presented.
/// </summary>
/// <remarks>
/// Commas are excluded because a repeated header arrives comma-joined; whitespace because RFC 9110 strips it from
/// the ends of a field value; control and non-ASCII characters because no generated key contains them.
/// </remarks>
internal static class ApiKeyFormat
{
    public static bool IsValid(ReadOnlySpan<char> value, int maxLength)
    {
        if (value.IsEmpty || value.Length > maxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~' or ',')
            {
                return false;
            }
        }

        return true;
    }
}
