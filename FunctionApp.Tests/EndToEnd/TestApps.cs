using FunctionApp.TestHost;

namespace FunctionApp.Tests.EndToEnd;

/// <summary>Copies of the built app for tests that change what a user would change in theirs.</summary>
internal static class TestApps
{
    /// <summary>A copy of the built app in a temporary folder, with another host.json when given; the caller deletes it.</summary>
    public static string Copy(string? hostJson = null)
    {
        var copy = Path.Combine(Path.GetTempPath(), "functionapp-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(FunctionsHostOptions.DefaultAppDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(FunctionsHostOptions.DefaultAppDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        if (hostJson is not null)
        {
            File.WriteAllText(Path.Combine(copy, "host.json"), hostJson);
        }

        return copy;
    }
}
