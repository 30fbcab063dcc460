using FunctionApp.Testing;
using FunctionApp.Tests.Tool;

namespace FunctionApp.Tests.Packaging;

/// <summary>
/// An app folder outside the repository that gets one of the repository's .NET tools as its README tells a user to: the
/// tool packed from this build into a folder feed, then each documented command run as written, by bash, in the app's
/// folder, with <c>$feed</c> naming the feed. NuGet's package cache and the CLI's home (where it remembers which local
/// tool is where) are folders of their own, so no machine-wide copy is used or left behind; disposing deletes it all.
/// </summary>
internal sealed class AppWithTool : IDisposable
{
    /// <summary>Bounds that a hung command hits, not a slow one: the machine is shared and has 2 cores.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    private readonly string _work;
    private readonly string _readme;

    private AppWithTool(string work, string readme)
    {
        _work = work;
        _readme = File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot, readme));
        Folder = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
        Feed = Path.Combine(work, "feed");

        // None of the app settings of this process, so only what the test writes in the app's folder counts.
        Environment = ApiKeysTool.CleanEnvironment();
        Environment["feed"] = Feed;
        Environment["NUGET_PACKAGES"] = Path.Combine(work, "packages");

        // The tools are packed at the version their projects give, as a user packs them, so the CLI's cache of where each
        // local tool is (~/.dotnet/toolResolverCache) would otherwise point the next run at this run's deleted copy.
        Environment["DOTNET_CLI_HOME"] = Path.Combine(work, "home");
    }

    /// <summary>The app's folder, where the commands run.</summary>
    public string Folder { get; }

    /// <summary>The folder feed the tool was packed into.</summary>
    public string Feed { get; }

    /// <summary>What every command gets over this process's environment; a null value removes a variable.</summary>
    public Dictionary<string, string?> Environment { get; }

    /// <summary>
    /// Packs <paramref name="project"/> (a path in the repository) from this build, at the version the project gives it,
    /// for an app whose commands <paramref name="readme"/> documents.
    /// </summary>
    public static async Task<AppWithTool> PackAsync(string project, string readme)
    {
        var app = new AppWithTool(Directory.CreateTempSubdirectory("functionsapikey-app-").FullName, readme);
        try
        {
            // A real outside app: no Directory.Build.props, nuget.config or tool manifest of the repository may apply.
            Assert.False(app._work.StartsWith(PackageFeed.RepositoryRoot, StringComparison.Ordinal), $"{app._work} is inside the repository.");
            await PackageFeed.PackAsync(project, app.Feed, app._work);
            return app;
        }
        catch
        {
            app.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="command"/> in the app's folder as bash runs it, once the README is seen to give it word for word.</summary>
    public Task<ProcessRun> RunAsync(string command, string? input = null)
    {
        AssertDocumented(command);
        return ChildProcess.RunAsync("bash", ["-c", command], Environment, Folder, input, CommandTimeout);
    }

    /// <summary>
    /// Starts <paramref name="command"/>, followed by <paramref name="extraArguments"/>, in the app's folder, once the README
    /// is seen to give it, with every line it writes to standard output or error going to <paramref name="output"/>. bash
    /// hands its process over to the command (<c>exec</c>), so a signal sent to the process reaches the command. The
    /// caller disposes it, which kills its process tree.
    /// </summary>
    public RunningProcess Start(string command, string extraArguments, LogCapture output)
    {
        AssertDocumented(command);
        var started = ChildProcess.Start("bash", ["-c", $"exec {command} {extraArguments}"], Environment, Folder);
        var process = started.Process;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;

        void Write(string? line)
        {
            if (line is not null)
            {
                output.WriteLine(line);
            }
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private void AssertDocumented(string command) =>
        Assert.True(_readme.Contains(command, StringComparison.Ordinal), $"The README does not give the command '{command}'.");
}
