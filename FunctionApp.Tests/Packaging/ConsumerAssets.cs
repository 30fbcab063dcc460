using System.Text.Json;

namespace FunctionApp.Tests.Packaging;

/// <summary>What NuGet resolved for a consumer app, from its <c>obj/project.assets.json</c>: each package, its version and what it depends on.</summary>
public sealed class ConsumerAssets
{
    private readonly Dictionary<string, string[]> _dependencies;
    private readonly string[] _references;

    private ConsumerAssets(string packagesFolder, Dictionary<string, string> versions, Dictionary<string, string[]> dependencies, string[] references)
    {
        PackagesFolder = packagesFolder;
        Versions = versions;
        _dependencies = dependencies;
        _references = references;
    }

    /// <summary>The global package cache the restore used.</summary>
    public string PackagesFolder { get; }

    /// <summary>Every package in the app's graph, by id (ignoring case), with its resolved version.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; }

    public static async Task<ConsumerAssets> ReadAsync(string path)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = document.RootElement;
        var versions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var dependencies = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var library in root.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject())
        {
            var (id, version) = (library.Name.Split('/')[0], library.Name.Split('/')[1]);
            versions[id] = version;
            dependencies[id] = library.Value.TryGetProperty("dependencies", out var on) ? [.. on.EnumerateObject().Select(d => d.Name)] : [];
        }

        var project = root.GetProperty("project");
        var references = project.GetProperty("frameworks").EnumerateObject().Single().Value.GetProperty("dependencies").EnumerateObject().Select(d => d.Name).ToArray();
        return new ConsumerAssets(project.GetProperty("restore").GetProperty("packagesPath").GetString()!, versions, dependencies, references);
    }

    /// <summary>
    /// The packages that only <paramref name="reference"/> brings into the app: those it reaches, directly or through
    /// others, that none of the app's other references reach.
    /// </summary>
    public IReadOnlySet<string> BroughtOnlyBy(string reference)
    {
        var others = Reachable(_references.Where(r => !r.Equals(reference, StringComparison.OrdinalIgnoreCase)));
        return Reachable([reference]).Where(p => !others.Contains(p)).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private HashSet<string> Reachable(IEnumerable<string> from)
    {
        var reached = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>(from);
        while (pending.TryPop(out var package))
        {
            if (reached.Add(package))
            {
                foreach (var dependency in _dependencies.GetValueOrDefault(package, []))
                {
                    pending.Push(dependency);
                }
            }
        }

        return reached;
    }
}
