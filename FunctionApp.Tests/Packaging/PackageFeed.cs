using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace FunctionApp.Tests.Packaging;

/// <summary>
/// FunctionsApiKey and FunctionsApiKey.KeyVault packed from this build into a local folder feed, under a prerelease
/// version made for this run so that NuGet's global package cache never serves a stale copy; and consumer apps built
/// against that feed in a temporary folder outside the repository. Disposing deletes the folder and this version's
/// copies in the global package cache.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    /// <summary>Bounds that a hung command hits, not a slow one: the machine is shared and has 2 cores.</summary>
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A build with a cold package cache restores the worker's packages first.</summary>
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private static readonly string[] Packages = ["FunctionsApiKey", "FunctionsApiKey.KeyVault"];

    private readonly string _work = Directory.CreateTempSubdirectory("functionsapikey-consumer-").FullName;
    private readonly Dictionary<string, Task<BuiltConsumer>> _builds = [];
    private string? _globalPackages;

    /// <summary>The packages' version in this run, e.g. 1.0.0-consumer.g3f2a….</summary>
    public string Version { get; private set; } = null!;

    internal static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    private string Feed => Path.Combine(_work, "feed");

    public async Task InitializeAsync()
    {
        // A real outside consumer: no Directory.Build.props or Directory.Packages.props of the repository may apply.
        if (_work.StartsWith(RepositoryRoot, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The temporary folder {_work} is inside the repository {RepositoryRoot}.");
        }

        // A letter keeps the prerelease label from being a number with a leading zero, which SemVer forbids.
        var suffix = $"consumer.g{Guid.NewGuid():N}";
        foreach (var package in Packages)
        {
            await PackAsync(Path.Combine("src", package, package + ".csproj"), Feed, _work, "--version-suffix", suffix);
        }

        var packed = Path.GetFileName(Assert.Single(Directory.GetFiles(Feed, "FunctionsApiKey.KeyVault.*.nupkg")));
        Version = packed["FunctionsApiKey.KeyVault.".Length..^".nupkg".Length];
        Assert.True(File.Exists(Path.Combine(Feed, $"FunctionsApiKey.{Version}.nupkg")), $"No FunctionsApiKey {Version} beside {packed}.");

        // Beside the machine's own package sources, which still serve the worker's packages.
        await File.WriteAllTextAsync(Path.Combine(_work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="functionsapikey-under-test" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>
    /// Packs <paramref name="project"/> (a path in the repository) as this build's test project built it (<c>--no-build</c>,
    /// in the same configuration) into <paramref name="feed"/>. The nuspec goes to <paramref name="work"/>, or every run
    /// would leave one in the project's obj.
    /// </summary>
    internal static Task<string> PackAsync(string project, string feed, string work, params string[] arguments) =>
        DotnetCli.RunAsync(
            RepositoryRoot,
            PackTimeout,
            ["pack", project, "--no-build", "-c", Metadata("Configuration"), "-o", feed, $"-p:NuspecOutputPath={Path.Combine(work, "nuspec")}{Path.DirectorySeparatorChar}", .. arguments]);

    /// <summary>
    /// Copies the <c>ConsumerApp</c> of one HTTP model (<c>BuiltIn</c> or <c>AspNetCore</c>), with its Program.cs or
    /// <c>Program.{program}.cs</c>, to a folder of its own, makes it reference <paramref name="gatePackage"/> from the
    /// feed, and builds it.
    /// </summary>
    /// <remarks>Each app is built once per feed: the tests of one model share its build.</remarks>
    public Task<BuiltConsumer> BuildConsumerAsync(string gatePackage, string model, string? program = null)
    {
        lock (_builds)
        {
            var name = $"{gatePackage}/{model}/{program}";
            if (!_builds.TryGetValue(name, out var build) || build.IsFaulted || build.IsCanceled)
            {
                _builds[name] = build = BuildAsync(gatePackage, model, program);
            }

            return build;
        }
    }

    private async Task<BuiltConsumer> BuildAsync(string gatePackage, string model, string? program)
    {
        var sources = Path.Combine(RepositoryRoot, "FunctionApp.Tests", "Packaging", "ConsumerApp");
        var project = Path.Combine(_work, program is null ? model : $"{model}.{program}");
        Directory.CreateDirectory(project);
        File.Copy(Path.Combine(sources, model, "Functions.cs"), Path.Combine(project, "Functions.cs"));
        File.Copy(Path.Combine(sources, "host.json"), Path.Combine(project, "host.json"));
        File.Copy(Path.Combine(sources, model, program is null ? "Program.cs" : $"Program.{program}.cs"), Path.Combine(project, "Program.cs"));
        var versions = LowestDependencyVersions().Concat(RepositoryPackageVersions()).DistinctBy(v => v.Key).ToDictionary();
        var template = Path.Combine(sources, model, "ConsumerApp.csproj.template");
        var csproj = Regex.Replace(await File.ReadAllTextAsync(template), @"\{\{([^}]+)\}\}", placeholder => placeholder.Groups[1].Value switch
        {
            "GatePackage" => gatePackage,
            "GateVersion" => Version,
            var package => versions.TryGetValue(package, out var version) ? version : throw new InvalidOperationException($"Directory.Packages.props has no version of {package}."),
        });
        await File.WriteAllTextAsync(Path.Combine(project, "ConsumerApp.csproj"), csproj);

        await DotnetCli.RunAsync(project, BuildTimeout, "build", "ConsumerApp.csproj", "-c", "Debug");

        var consumer = new BuiltConsumer(Path.Combine(project, "bin", "Debug", "net10.0"), await ConsumerAssets.ReadAsync(Path.Combine(project, "obj", "project.assets.json")));
        _globalPackages ??= consumer.Assets.PackagesFolder;
        return consumer;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        if (_globalPackages is not null)
        {
            // Only this run's version: nobody else can be using it, and leaving it would grow the cache with every run.
            foreach (var package in Packages)
            {
                var copy = Path.Combine(_globalPackages, package.ToLowerInvariant(), Version.ToLowerInvariant());
                if (Directory.Exists(copy))
                {
                    Directory.Delete(copy, recursive: true);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The lowest version of each package the gate's packages depend on, as their packed nuspecs declare it (NuGet
    /// resolves a dependency to the lowest version that satisfies it): the oldest worker a consumer may run.
    /// </summary>
    internal Dictionary<string, string> LowestDependencyVersions()
    {
        var lowest = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var nuspec in Directory.GetFiles(Path.Combine(_work, "nuspec"), "*.nuspec"))
        {
            foreach (var dependency in XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency"))
            {
                var id = (string)dependency.Attribute("id")!;
                var version = ((string)dependency.Attribute("version")!).Trim('[', ']', '(', ')').Split(',')[0];
                if (!Packages.Contains(id) && (!lowest.TryGetValue(id, out var known) || NuGetVersionOrder(version, known) > 0))
                {
                    // Two packages may name one dependency at different floors; the app must satisfy the higher one.
                    lowest[id] = version;
                }
            }
        }

        return lowest;
    }

    private static int NuGetVersionOrder(string left, string right) => System.Version.Parse(left.Split('-')[0]).CompareTo(System.Version.Parse(right.Split('-')[0]));

    /// <summary>The versions the repository builds its own app with, for every package the gate does not depend on.</summary>
    private static Dictionary<string, string> RepositoryPackageVersions() =>
        XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);

    private static string Metadata(string key) =>
        typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
