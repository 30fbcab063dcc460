using FunctionsApiKey.KeyRing;
using FunctionsApiKey;

namespace FunctionApp.Benchmarks.Memory;

/// <summary>Managed bytes the key ring holds per key at 100,000 keys, apart from the key names themselves.</summary>
internal static class KeyRingMemoryBenchmark
{
    public static void Run(bool quick)
    {
        var count = quick ? 10_000 : 100_000;
        var names = Enumerable.Range(0, count).Select(i => $"partner-{i:D6}").ToArray();
        var nameBytes = names.Sum(n => 22L + (2L * n.Length));
        var values = names.Select(_ => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))).ToArray();
        var now = DateTimeOffset.UtcNow;

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var ring = KeyRingSnapshot.Create(
            names.Select((name, i) => ApiKey.FromValue(name, values[i]) with { ExpiresOn = i % 2 == 0 ? now.AddDays(30) : null }),
            "benchmark",
            now,
            out _);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(ring);
        GC.KeepAlive(names);

        var perKey = (double)(after - before) / count;
        Report.Table($"Memory: key ring of {count:N0} keys",
            ["managed bytes for the ring", "per key, beyond its name", "names (not counted)"],
            [[Report.N(after - before), Report.N(perKey, 1) + " B", $"{Report.N(nameBytes)} B ({Report.N((double)nameBytes / count, 1)} B per name)"]]);
        Report.Line($"Target: ≤ 200 B per key beyond its name; measured {perKey:F1} B");
    }
}
