namespace FunctionsApiKey.Policies;

/// <summary>Which policy refused a request, if any; the key ring turns it into the gate's outcome.</summary>
internal enum PolicyRefusal
{
    None,
    AddressDenied,
    RateLimited,
    QuotaExceeded,
}
