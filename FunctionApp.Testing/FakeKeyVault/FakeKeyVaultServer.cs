using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionApp.Testing.FakeKeyVault;

/// <summary>
/// A local HTTPS server that answers the subset of the Key Vault secrets REST API the real <c>SecretClient</c> uses,
/// as shared/reference/key-vault-secrets.md describes it. It serves list (<c>GET /secrets</c>, paged 25 at a time
/// through absolute <c>nextLink</c>s), versions (<c>GET /secrets/{name}/versions</c>), get
/// (<c>GET /secrets/{name}[/{version}]</c>; 403 <c>SecretDisabled</c>, 404 <c>SecretNotFound</c>), set
/// (<c>PUT /secrets/{name}</c>, a new current version; 409 <c>Conflict</c> while the name is soft-deleted) and update
/// (<c>PATCH /secrets/{name}/{version}</c>), with the service's 400 <c>BadParameter</c> for invalid names, bodies and
/// more than 15 tags. Behind challenge-based bearer auth it enforces the caller's RBAC role (<see cref="CallerRole"/>:
/// 403 <c>Forbidden</c>/<c>ForbiddenByRbac</c> naming the data action), and injects faults (429 with
/// <c>Retry-After</c>, 5xx, outages) and latency into reads and writes alike. Times are Unix seconds from its
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class FakeKeyVaultServer : IAsyncDisposable
{
    public const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public const int PageSize = 25;

    /// <summary>Key Vault's limit on tags per secret.</summary>
    public const int MaxTags = 15;

    /// <summary>Where the vault sits in Azure, for the resource id in an RBAC refusal (the client never parses it).</summary>
    private const string VaultResourceGroup = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg-fake/providers/microsoft.keyvault/vaults/";
    private const string CallerClaims = "appid=11111111-1111-1111-1111-111111111111;oid=22222222-2222-2222-2222-222222222222;iss=https://sts.windows.net/" + Tenant + "/";

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<FakeSecretVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<FakeSecretVersion>> _deleted = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<FakeVaultRequest> _requests = new();
    private readonly List<Fault> _faults = [];
    private (int Status, string Code)? _outage;
    private readonly Queue<long> _admitted = new();
    private int _throttled;
    private int _concurrent;
    private int _maxConcurrent;

    private FakeKeyVaultServer(WebApplication app, X509Certificate2 certificate, TimeProvider time)
    {
        _app = app;
        Certificate = certificate;
        _time = time;
    }

    /// <summary>The certificate the server presents; trust it (or pin it) to reach the vault.</summary>
    public X509Certificate2 Certificate { get; }

    public int Port { get; private set; }

    /// <summary>The bearer token the vault accepts.</summary>
    public string AccessToken { get; set; } = "fake-vault-access-token";

    /// <summary>Added to every request, e.g. 8 ms to model a vault in another region.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Key Vault's service limit, when set: at most this many requests in any window of <see cref="ThrottleWindow"/>
    /// (the documented limit is 4,000 per 10 s); beyond it, 429 with <c>Retry-After</c> until the window has room.
    /// </summary>
    public int? ThrottleLimit { get; set; }

    public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests answered 429 by <see cref="ThrottleLimit"/>.</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    /// <summary>
    /// The RBAC role the caller holds on the vault. A request whose data action (<see cref="SecretDataActions"/>) the
    /// role does not grant is answered 403 <c>Forbidden</c>, inner code <c>ForbiddenByRbac</c>, with the service's message
    /// naming the action. Defaults to <see cref="FakeVaultRole.Administrator"/>, which grants everything.
    /// </summary>
    public FakeVaultRole CallerRole { get; set; } = FakeVaultRole.Administrator;

    public IReadOnlyList<FakeVaultRequest> Requests => [.. _requests];

    /// <summary>The most requests that were in progress at once since the server started.</summary>
    public int MaxConcurrentRequests => _maxConcurrent;

    public static async Task<FakeKeyVaultServer> StartAsync(TimeProvider? time = null, params string[] hostNames)
    {
        var certificate = TestCertificate.Create(["myvault.vault.azure.net", "localhost", .. hostNames]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new FakeKeyVaultServer(app, certificate, time ?? TimeProvider.System);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Port = new Uri(address).Port;
        return server;
    }

    /// <summary>
    /// Creates the secret or a new version of it (which becomes current), like <c>az keyvault secret set</c>, and with
    /// the service's rules: a name of 1–127 letters, digits and <c>-</c>, at most <see cref="MaxTags"/> tags, and not
    /// the name of a deleted secret (<see cref="PurgeDeletedSecret"/> it first).
    /// </summary>
    public FakeSecretVersion SetSecret(
        string name,
        string value,
        IReadOnlyDictionary<string, string>? tags = null,
        bool enabled = true,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? expiresOn = null,
        string? contentType = null)
    {
        if (!IsValidName(name) || tags?.Count > MaxTags)
        {
            throw new ArgumentException($"Key Vault would refuse the secret '{name}': names are 1-127 letters, digits and '-', with at most {MaxTags} tags.", nameof(name));
        }

        lock (_gate)
        {
            return AddVersion(name, new SecretWrite(value, contentType, enabled, notBefore, expiresOn, tags))
                ?? throw new InvalidOperationException($"The secret '{name}' is deleted; Key Vault refuses to set it until it is purged (PurgeDeletedSecret) or recovered.");
        }
    }

    /// <summary>Changes the current version's attributes or tags, like <c>az keyvault secret set-attributes</c>.</summary>
    public void UpdateSecret(string name, Func<FakeSecretVersion, FakeSecretVersion> change)
    {
        lock (_gate)
        {
            var versions = _secrets[name];
            versions[^1] = change(versions[^1]) with { Updated = _time.GetUtcNow() };
        }
    }

    public void DisableSecret(string name) => UpdateSecret(name, v => v with { Enabled = false });

    /// <summary>
    /// Deletes the secret as a soft-delete vault does: it leaves listings and reads (404 <c>SecretNotFound</c>), and its
    /// name cannot be set again (409 <c>Conflict</c>) until <see cref="PurgeDeletedSecret"/>.
    /// </summary>
    public void DeleteSecret(string name)
    {
        lock (_gate)
        {
            if (_secrets.Remove(name, out var versions))
            {
                _deleted[_names[name]] = versions;
                _names.Remove(name);
            }
        }
    }

    /// <summary>Removes a deleted secret for good, like <c>az keyvault secret purge</c>, so its name can be set again.</summary>
    public void PurgeDeletedSecret(string name)
    {
        lock (_gate)
        {
            _deleted.Remove(name);
        }
    }

    /// <summary>
    /// The secret's versions as stored (values, tags and attributes), oldest first; empty when there is no such secret
    /// or it is deleted. For checking what a client wrote, without going through the vault's API.
    /// </summary>
    public IReadOnlyList<FakeSecretVersion> StoredVersions(string name)
    {
        lock (_gate)
        {
            return _secrets.TryGetValue(name, out var versions) ? [.. versions] : [];
        }
    }

    /// <summary>The current version as stored, or null when there is no such secret or it is deleted.</summary>
    public FakeSecretVersion? StoredSecret(string name) => StoredVersions(name) is [.., var current] ? current : null;

    /// <summary>
    /// Answers the next <paramref name="count"/> authorized requests (those whose path <paramref name="pathMatches"/>,
    /// if given) with <paramref name="status"/> instead, e.g. 429 with <c>Retry-After</c>, or a 404 between list and get.
    /// </summary>
    public void FailNext(int count, int status, TimeSpan? retryAfter = null, Func<string, bool>? pathMatches = null, string? code = null)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _faults.Add(new Fault(status, code ?? CodeFor(status), retryAfter, pathMatches ?? (_ => true)));
            }
        }
    }

    /// <summary>Answers every request with <paramref name="status"/> until <see cref="EndOutage"/>.</summary>
    public void StartOutage(int status = 503)
    {
        lock (_gate)
        {
            _outage = (status, CodeFor(status));
        }
    }

    public void EndOutage()
    {
        lock (_gate)
        {
            _outage = null;
        }
    }

    public void ClearRequests() => _requests.Clear();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var concurrent = Interlocked.Increment(ref _concurrent);
        try
        {
            InterlockedMax(ref _maxConcurrent, concurrent);
            await AnswerAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _concurrent);
        }
    }

    private static void InterlockedMax(ref int location, int value)
    {
        var current = Volatile.Read(ref location);
        while (value > current && Interlocked.CompareExchange(ref location, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency);
        }

        var request = context.Request;
        var response = context.Response;
        response.Headers.Date = _time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        var hadToken = request.Headers.Authorization.ToString() == "Bearer " + AccessToken;
        var (status, body) = hadToken ? Answer(request, response, await ReadWriteBodyAsync(request)) : Challenge(response);
        _requests.Enqueue(new FakeVaultRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? string.Empty, hadToken, status, received, System.Diagnostics.Stopwatch.GetTimestamp()));

        response.StatusCode = status;
        if (body is not null)
        {
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync(body.ToJsonString());
        }
    }

    /// <summary>The body of a PUT or PATCH (read before taking the lock: Kestrel reads bodies asynchronously only).</summary>
    private static async Task<string?> ReadWriteBodyAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPut(request.Method) && !HttpMethods.IsPatch(request.Method))
        {
            return null;
        }

        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync();
    }

    private static (int, JsonNode?) Challenge(HttpResponse response)
    {
        response.Headers.WWWAuthenticate =
            $"Bearer authorization=\"https://login.microsoftonline.com/{Tenant}\", resource=\"https://vault.azure.net\"";
        return (401, Error("Unauthorized", "AKV10000: Request is missing a Bearer or PoP token."));
    }

    private (int, JsonNode?) Answer(HttpRequest request, HttpResponse response, string? body)
    {
        lock (_gate)
        {
            if (_outage is { } outage)
            {
                return (outage.Status, Error(outage.Code, "Injected outage."));
            }

            if (ThrottleLimit is { } limit && Throttle(limit, response))
            {
                Interlocked.Increment(ref _throttled);
                return (429, Error("Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"));
            }

            var path = request.Path.Value ?? "/";
            var index = _faults.FindIndex(f => f.PathMatches(path));
            if (index >= 0)
            {
                var fault = _faults[index];
                _faults.RemoveAt(index);
                if (fault.RetryAfter is { } retryAfter)
                {
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                return (fault.Status, Error(fault.Code, "Injected fault."));
            }
        }

        if (string.IsNullOrEmpty(request.Query["api-version"]))
        {
            return (400, Error("BadParameter", "The request URI contains an invalid or missing api-version."));
        }

        var segments = (request.Path.Value ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments[0] != "secrets")
        {
            return (404, Error("NotFound", "The requested resource was not found."));
        }

        if (segments.Length > 1 && !IsValidName(segments[1]))
        {
            return (400, Error("BadParameter", $"The request URI contains an invalid name: {segments[1]}"));
        }

        var baseUri = $"https://{request.Host}";
        var vault = request.Host.Host.Split('.')[0];
        var skip = int.TryParse(request.Query["$skiptoken"], CultureInfo.InvariantCulture, out var s) ? s : 0;
        lock (_gate)
        {
            return (request.Method, segments) switch
            {
                ("GET", ["secrets"]) => Authorized(SecretDataActions.ReadMetadata, vault, null, () =>
                    (200, ListPage(baseUri, "/secrets", skip, CurrentVersions().Select(p => Item(baseUri, p.Name, p.Version, withVersion: false))))),
                ("GET", ["secrets", var name, "versions"]) => Authorized(SecretDataActions.ReadMetadata, vault, name, () => Versions(baseUri, name, skip)),
                ("GET", ["secrets", var name]) => Authorized(SecretDataActions.GetSecret, vault, name, () => Bundle(baseUri, name, version: null)),
                ("GET", ["secrets", var name, var version]) => Authorized(SecretDataActions.GetSecret, vault, name, () => Bundle(baseUri, name, version)),
                ("PUT", ["secrets", var name]) => Authorized(SecretDataActions.SetSecret, vault, name, () => Set(baseUri, name, body)),
                ("PATCH", ["secrets", var name, var version]) => Authorized(SecretDataActions.Update, vault, name, () => Update(baseUri, name, version, body)),
                _ => (405, Error("MethodNotAllowed", $"This fake does not serve {request.Method} {request.Path}.")),
            };
        }
    }

    /// <summary>Serves the request if the caller's role grants <paramref name="action"/>; otherwise refuses it as Azure RBAC does.</summary>
    private (int, JsonNode?) Authorized(string action, string vault, string? name, Func<(int, JsonNode?)> serve)
    {
        if (CallerRole.Allows(action))
        {
            return serve();
        }

        var resource = VaultResourceGroup + vault + (name is null ? string.Empty : "/secrets/" + name.ToLowerInvariant());
        var message =
            "Caller is not authorized to perform action on resource.\r\n" +
            "If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n" +
            $"Caller: {CallerClaims}\r\n" +
            $"Action: '{action}'\r\n" +
            $"Resource: '{resource}'\r\n" +
            "Assignment: (not found)\r\n" +
            "DenyAssignmentId: null\r\n" +
            "DecisionReason: 'DeniedWithNoValidRBAC' \r\n" +
            $"Vault: {vault};location=westeurope\r\n";
        return (403, Error("Forbidden", message, inner: "ForbiddenByRbac"));
    }

    /// <summary>Key Vault's object names: 1–127 letters, digits and <c>-</c>.</summary>
    private static bool IsValidName(string name) =>
        name.Length is >= 1 and <= 127 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>A sliding window of admitted requests (under the lock): true, with Retry-After set, when it is full.</summary>
    private bool Throttle(int limit, HttpResponse response)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var window = (long)(ThrottleWindow.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (_admitted.Count > 0 && now - _admitted.Peek() >= window)
        {
            _admitted.Dequeue();
        }

        if (_admitted.Count < limit)
        {
            _admitted.Enqueue(now);
            return false;
        }

        var wait = (double)(_admitted.Peek() + window - now) / System.Diagnostics.Stopwatch.Frequency;
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait)).ToString(CultureInfo.InvariantCulture);
        return true;
    }

    private List<(string Name, FakeSecretVersion Version)> CurrentVersions() =>
        _secrets.OrderBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Select(s => (_names[s.Key], s.Value[^1])).ToList();

    private (int, JsonNode?) Versions(string baseUri, string name, int skip) =>
        _secrets.TryGetValue(name, out var versions)
            ? (200, ListPage(baseUri, $"/secrets/{_names[name]}/versions", skip, versions.Select(v => Item(baseUri, _names[name], v, withVersion: true))))
            : NotFound(name);

    /// <summary>Adds a version that becomes current (under the lock), or returns null while the name is deleted.</summary>
    private FakeSecretVersion? AddVersion(string name, SecretWrite write)
    {
        if (_deleted.ContainsKey(name))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var version = new FakeSecretVersion(
            Guid.NewGuid().ToString("N"),
            write.Value ?? string.Empty,
            write.Tags?.ToDictionary() ?? new Dictionary<string, string>(),
            write.Enabled ?? true,
            write.NotBefore,
            write.ExpiresOn,
            now,
            now,
            write.ContentType);
        if (!_secrets.TryGetValue(name, out var versions))
        {
            _secrets[name] = versions = [];
            _names[name] = name;
        }

        versions.Add(version);
        return version;
    }

    /// <summary><c>PUT /secrets/{name}</c>: a new current version, answered with its value as the service does.</summary>
    private (int, JsonNode?) Set(string baseUri, string name, string? body)
    {
        if (SecretWrite.Parse(body, MaxTags, out var problem) is not { } write)
        {
            return (400, Error("BadParameter", problem!));
        }

        if (write.Value is null)
        {
            return (400, Error("BadParameter", "Property value is required."));
        }

        return AddVersion(name, write) is { } version
            ? (200, ValueBundle(baseUri, _names[name], version))
            : (409, Error(
                "Conflict",
                $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
                inner: "ObjectIsDeletedButRecoverable"));
    }

    /// <summary>
    /// <c>PATCH /secrets/{name}/{version}</c>: what the body holds replaces what is stored (tags as a whole set); the
    /// value cannot change. Answered without the value, as the service does.
    /// </summary>
    private (int, JsonNode?) Update(string baseUri, string name, string version, string? body)
    {
        if (SecretWrite.Parse(body, MaxTags, out var problem) is not { } write)
        {
            return (400, Error("BadParameter", problem!));
        }

        var index = _secrets.TryGetValue(name, out var versions) ? versions.FindIndex(v => v.Version == version) : -1;
        if (index < 0)
        {
            return NotFound(name);
        }

        var stored = versions![index];
        versions[index] = stored with
        {
            ContentType = write.ContentType ?? stored.ContentType,
            Enabled = write.Enabled ?? stored.Enabled,
            NotBefore = write.NotBefore ?? stored.NotBefore,
            ExpiresOn = write.ExpiresOn ?? stored.ExpiresOn,
            Tags = write.Tags?.ToDictionary() ?? stored.Tags,
            Updated = _time.GetUtcNow(),
        };
        return (200, Item(baseUri, _names[name], versions[index], withVersion: true));
    }

    private static JsonObject ListPage(string baseUri, string path, int skip, IEnumerable<JsonNode> items)
    {
        var all = items.ToList();
        var page = new JsonArray([.. all.Skip(skip).Take(PageSize)]);
        var next = skip + PageSize < all.Count
            ? $"{baseUri}{path}?api-version=2026-04-01&$skiptoken={skip + PageSize}&maxresults={PageSize}"
            : null;
        return new JsonObject { ["value"] = page, ["nextLink"] = next };
    }

    private (int, JsonNode?) Bundle(string baseUri, string name, string? version)
    {
        if (!_secrets.TryGetValue(name, out var versions))
        {
            return NotFound(name);
        }

        var secret = version is null ? versions[^1] : versions.FirstOrDefault(v => v.Version == version);
        if (secret is null)
        {
            return NotFound(name);
        }

        if (!secret.Enabled)
        {
            return (403, Error("Forbidden", "Operation get is not allowed on a disabled secret.", inner: "SecretDisabled"));
        }

        return (200, ValueBundle(baseUri, _names[name], secret));
    }

    private static JsonObject ValueBundle(string baseUri, string name, FakeSecretVersion version)
    {
        var bundle = Item(baseUri, name, version, withVersion: true);
        bundle["value"] = version.Value;
        return bundle;
    }

    private static JsonObject Item(string baseUri, string name, FakeSecretVersion version, bool withVersion)
    {
        var attributes = new JsonObject
        {
            ["enabled"] = version.Enabled,
            ["created"] = version.Created.ToUnixTimeSeconds(),
            ["updated"] = version.Updated.ToUnixTimeSeconds(),
            ["recoveryLevel"] = "Recoverable+Purgeable",
            ["recoverableDays"] = 90,
        };
        if (version.NotBefore is { } nbf)
        {
            attributes["nbf"] = nbf.ToUnixTimeSeconds();
        }

        if (version.ExpiresOn is { } exp)
        {
            attributes["exp"] = exp.ToUnixTimeSeconds();
        }

        var item = new JsonObject
        {
            ["id"] = withVersion ? $"{baseUri}/secrets/{name}/{version.Version}" : $"{baseUri}/secrets/{name}",
            ["attributes"] = attributes,
        };
        if (version.ContentType is not null)
        {
            item["contentType"] = version.ContentType;
        }

        if (version.Tags.Count > 0)
        {
            item["tags"] = new JsonObject([.. version.Tags.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value))]);
        }

        return item;
    }

    private static (int, JsonNode?) NotFound(string name) =>
        (404, Error("SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault."));

    private static JsonObject Error(string code, string message, string? inner = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (inner is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = inner };
        }

        return new JsonObject { ["error"] = error };
    }

    private sealed record Fault(int Status, string Code, TimeSpan? RetryAfter, Func<string, bool> PathMatches);

    private static string CodeFor(int status) => status switch
    {
        429 => "Throttled",
        500 => "InternalServerError",
        503 => "ServiceUnavailable",
        403 => "Forbidden",
        404 => "SecretNotFound",
        _ => "Error",
    };
}
