using FunctionApp.TestHost.Routing;
using FunctionApp.TestHost.Rpc;
using FunctionApp.TestHost.Timers;

namespace FunctionApp.TestHost;

/// <summary>
/// The worker's functions as the host keeps them. A function whose metadata the host refuses (a reserved or conflicting
/// HTTP route, a binding property of the wrong type) is in error and not loaded. A function whose trigger fails to
/// index (a timer schedule that does not resolve or parse) is in error too, but the host has already loaded it into
/// the worker: it is listed and can be called through the admin API, though it runs on no trigger. The others run.
/// </summary>
internal sealed class FunctionIndex
{
    private readonly Dictionary<string, RpcFunctionMetadata> _loaded;

    private FunctionIndex(RouteTable routes, IReadOnlyList<TimerFunction> timers, IReadOnlyDictionary<string, string> errors, IReadOnlyList<RpcFunctionMetadata> loaded)
    {
        Routes = routes;
        Timers = timers;
        Errors = errors;
        Loaded = loaded;
        _loaded = loaded.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    public RouteTable Routes { get; }

    /// <summary>The timer functions that run on their schedule.</summary>
    public IReadOnlyList<TimerFunction> Timers { get; }

    /// <summary>Functions in error, by name, with the error the host logs for each, in the order it logs them.</summary>
    public IReadOnlyDictionary<string, string> Errors { get; }

    /// <summary>The functions the host loads into each worker.</summary>
    public IReadOnlyList<RpcFunctionMetadata> Loaded { get; }

    /// <param name="metadata">The functions as the worker reports them.</param>
    /// <param name="routePrefix">host.json's route prefix.</param>
    /// <param name="names">Resolves <c>%Name%</c> in binding properties.</param>
    /// <param name="time">The host's clock and time zone.</param>
    /// <exception cref="InvalidOperationException">An HTTP route template is invalid: the host would not start.</exception>
    public static FunctionIndex Create(IReadOnlyList<RpcFunctionMetadata> metadata, string routePrefix, NameResolver names, TimeProvider time)
    {
        var routes = new RouteTable(metadata.Select(f => HttpFunction.FromMetadata(f, routePrefix)).OfType<HttpFunction>());
        var errors = new Dictionary<string, string>(routes.Errors, StringComparer.OrdinalIgnoreCase);
        var notLoaded = new HashSet<string>(routes.Errors.Keys, StringComparer.OrdinalIgnoreCase);
        var timers = new List<TimerFunction>();
        var now = time.GetLocalNow();

        // The host sorts functions by name before it validates them, as it does for routes.
        foreach (var function in metadata.Where(f => !errors.ContainsKey(f.Name)).OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                if (TimerFunction.FromMetadata(function, names, time.LocalTimeZone, now) is { } timer)
                {
                    timers.Add(timer);
                }
            }
            catch (FunctionInErrorException ex)
            {
                errors[function.Name] = ex.Message;
                if (!ex.Loaded)
                {
                    notLoaded.Add(function.Name);
                }
            }
        }

        return new FunctionIndex(routes, timers, errors, [.. metadata.Where(f => !notLoaded.Contains(f.Name))]);
    }

    /// <summary>A loaded function by name, ignoring case, as the admin API looks it up; null if there is none.</summary>
    public RpcFunctionMetadata? Find(string name) => _loaded.GetValueOrDefault(name);
}
