using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FunctionApp.Benchmarks.ColdStart;
using FunctionApp.Benchmarks.EndToEnd;
using FunctionApp.Benchmarks.Handover;
using FunctionApp.Benchmarks.KeyVault;
using FunctionApp.Benchmarks.Memory;
using FunctionApp.Benchmarks.Micro;
using FunctionApp.Benchmarks.Quota;
using FunctionApp.Benchmarks.RateLimits;
using FunctionApp.Benchmarks.ScaleOut;
using FunctionApp.Benchmarks.SharedRing;

// dotnet run -c Release --project FunctionApp.Benchmarks -- [micro|policies|ratelimit|quota|e2e|denials|keyvault|scaleout|standin|handover|ring|coldstart|memory|all] [--quick] [--debug-logs]
// --quick runs every benchmark briefly to prove it works; it measures nothing worth reading.
// --debug-logs (e2e) turns on the app's per-request Debug log lines.
var quick = args.Contains("--quick");
var debugLogs = args.Contains("--debug-logs");
var rest = args.Where(a => a is not ("--quick" or "--debug-logs")).ToArray();
var suite = rest.FirstOrDefault() ?? "all";
var benchmarkArgs = rest.Skip(1).ToArray();

var known = new[] { "micro", "policies", "ratelimit", "quota", "e2e", "denials", "keyvault", "scaleout", "standin", "handover", "ring", "coldstart", "memory", "all" };
if (!known.Contains(suite))
{
    Console.Error.WriteLine($"Unknown suite '{suite}'. Use one of: {string.Join(", ", known)}, optionally with --quick.");
    return 2;
}

Console.WriteLine($"Machine: {Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}");
if (quick)
{
    Console.WriteLine("--quick: every benchmark runs briefly to prove it still works. The figures it prints are not measurements, and nothing checks them.");
}

if (suite is "micro" or "all")
{
    var config = quick
        ? ManualConfig.CreateMinimumViable().AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableLogFile)
        // The benchmark project builds the whole app (worker extensions included): on a busy 2-core machine that takes
        // longer than BenchmarkDotNet's default 2 minutes.
        : DefaultConfig.Instance.AddJob(Job.Default.WithWarmupCount(5).WithIterationCount(15)).WithBuildTimeout(TimeSpan.FromMinutes(10));
    var summaries = BenchmarkSwitcher.FromTypes([typeof(KeyCheckBenchmarks), typeof(HashBenchmarks), typeof(KeyFormatBenchmarks), typeof(LastUseBenchmarks)]).Run(benchmarkArgs.Length > 0 ? benchmarkArgs : ["--filter", "*"], config);
    if (summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)))
    {
        Console.Error.WriteLine("A micro benchmark failed to run.");
        return 1;
    }
}

if (suite is "policies" or "all")
{
    // In process: the generated project's rebuild of the whole app took over 10 minutes on a busy 2-core machine, and
    // both sides of the comparison run in the same process either way.
    var config = quick
        ? ManualConfig.CreateMinimumViable().AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableLogFile)
        : DefaultConfig.Instance.AddJob(Job.Default.WithWarmupCount(5).WithIterationCount(15).WithToolchain(InProcessEmitToolchain.Instance));
    var summaries = BenchmarkSwitcher.FromTypes([typeof(PolicyBenchmarks)]).Run(benchmarkArgs.Length > 0 ? benchmarkArgs : ["--filter", "*"], config);
    if (summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)))
    {
        Console.Error.WriteLine("A policy benchmark failed to run.");
        return 1;
    }
}

// Ten instances sharing one rate limit through Garnet: 60 s with the store, 10 s without, 20 s with an outage.
// `ratelimit --burst 50` gives the limit a burst other than its count; `--server host:port` measures the shared part
// against a server already running, e.g. `redis-server --port 6390`.
if (suite is "ratelimit" or "all")
{
    var burstAt = Array.IndexOf(benchmarkArgs, "--burst");
    var serverAt = Array.IndexOf(benchmarkArgs, "--server");
    await RateLimitAccuracyBenchmark.RunAsync(
        quick,
        burstAt >= 0 ? long.Parse(benchmarkArgs[burstAt + 1], System.Globalization.CultureInfo.InvariantCulture) : null,
        serverAt >= 0 ? benchmarkArgs[serverAt + 1] : null);
}

if (suite is "quota" && benchmarkArgs is ["--seed", var connection, var keyName])
{
    // Not a measurement: fills a usage table through the real gate and writer, for the tool README's picture.
    await QuotaBenchmark.SeedAsync(connection, keyName);
    return 0;
}

if (suite is "quota" or "all")
{
    await QuotaBenchmark.RunAsync(quick);
}

if (suite is "memory" or "all")
{
    KeyRingMemoryBenchmark.Run(quick);
}

if (suite is "keyvault" or "all")
{
    await KeyVaultLoadBenchmark.RunAsync(quick);
}

if (suite is "scaleout" or "all")
{
    await ScaleOutBenchmark.RunAsync(quick);
}

// Part of scaleout; on its own, the publisher lost at 100 instances and the stand-in (~3 minutes).
if (suite is "scaleout" or "standin" or "all")
{
    await PublisherHandoverBenchmark.RunAsync(quick);
}

// Three real hosts under the host's listener lease, the publishing one killed.
if (suite is "handover" or "all")
{
    await HandoverBenchmark.RunAsync(quick);
}

if (suite is "ring" or "all")
{
    await SharedRingBenchmark.RunAsync(quick);
}

if (suite is "e2e" or "all")
{
    await EndToEndBenchmark.RunAsync(quick, debugLogs);
}

if (suite is "denials" or "all")
{
    await DenialTimingBenchmark.RunAsync(quick);
}

if (suite is "coldstart" or "all")
{
    await ColdStartBenchmark.RunAsync(quick);
}

return 0;
