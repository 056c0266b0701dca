using Autograder.Check;
using Autograder.Compile;
using Autograder.Exercise;
using Autograder.Load;
using Autograder.Pipeline;
using Autograder.Protocol;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Autograder.Benchmarks;

/// <summary>The device emulator and the grader's side of kernel calls (what every driver call costs us).</summary>
[Config(typeof(InProcess.Throughput))]
[MemoryDiagnoser]
public class KernelModelBenchmarks
{
    private RngDevice _device = null!;

    [GlobalSetup]
    public void Setup() => _device = new RngDevice();

    /// <summary>SEED then RAND at the register level (no trace, no mapping).</summary>
    [Benchmark]
    public ulong DeviceSeedThenRand()
    {
        _device.Write(RngDevice.SeedOffset, 4, 42, Api.Iowrite32);
        return _device.Read(RngDevice.RandOffset, 4, Api.Ioread32);
    }

    /// <summary>A fresh kernel, ioremap, 16 RAND reads and a SEED write through the mapping, printk, iounmap:
    /// what one short check asks of the model.</summary>
    [Benchmark]
    public int KernelCallPath()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(kernel.Options.DeviceBase, kernel.Options.DeviceSize, Api.Ioremap);
        kernel.MmioWrite(va + RngDevice.SeedOffset, 4, 7, Api.Iowrite32);
        ulong sum = 0;
        for (var i = 0; i < 16; i++)
        {
            sum += kernel.MmioRead(va + RngDevice.RandOffset, 4, Api.Ioread32);
        }

        kernel.Printk("\u00016my_rng_driver loaded\n");
        kernel.Iounmap(va, Api.Iounmap);
        return kernel.Trace.Count + (int)(sum & 1);
    }
}

/// <summary>The compilers: Roslyn warm (in memory, with the allowlist); gcc -c, then the object loaded by a
/// sandboxed C fork server and one instance forked and initialised (what a C submission costs before its checks).</summary>
[Config(typeof(InProcess.Monitoring))]
public class CompileBenchmarks
{
    private (string Path, string Text)[] _csharp = [];
    private (string Path, string Text)[] _c = [];
    private CSharpCompiler _roslyn = null!;
    private CCompiler? _gcc;
    private readonly HostLauncher _launcher = new(AppContext.BaseDirectory, NativeToolchain.Shared.Toolchain?.LaunchPath, new HostLimits());

    [GlobalSetup]
    public void Setup()
    {
        var examples = ClassBenchmark.FindExamples();
        _csharp = [("MyRng.cs", File.ReadAllText(Path.Combine(examples, "csharp", "reference", "MyRng.cs")))];
        _c = [("my-rng.c", File.ReadAllText(Path.Combine(examples, "c", "reference", "my-rng.c")))];
        _roslyn = new CSharpCompiler();
        CSharpCompiler.WarmUp();
        _gcc = NativeToolchain.Shared.Toolchain is null ? null : new CCompiler();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gcc?.Dispose();
        _launcher.Dispose();
    }

    [Benchmark]
    public bool RoslynWarmCompile() => _roslyn.Compile(_csharp).Success;

    [Benchmark]
    public bool GccCompileAndLoad()
    {
        if (_gcc is null)
        {
            return false;
        }

        var build = _gcc.Compile("bench", _c);
        try
        {
            using var host = new CDriverHost(build.Driver!, _launcher);
            using var instance = host.Start(new SimKernel(new KernelOptions()), new CheckBudget(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20)), out var begin);
            return begin.Returned && instance.Init().Returned;
        }
        finally
        {
            CCompiler.Delete(build);
        }
    }
}

/// <summary>Short in-process jobs: they measure this build (ReadyToRun in Release, as the grader runs), and
/// BenchmarkDotNet's generated child project could not restore our runtime-specific build anyway.</summary>
internal static class InProcess
{
    public sealed class Throughput : ManualConfig
    {
        public Throughput() => AddJob(Job.Default.WithStrategy(RunStrategy.Throughput).WithWarmupCount(3).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance));
    }

    public sealed class Monitoring : ManualConfig
    {
        public Monitoring() => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(2).WithIterationCount(8).WithToolchain(InProcessEmitToolchain.Instance));
    }
}

/// <summary>One check end to end: the default rubric's determinism check (the busiest: 108 ioctls on one
/// instance) against the reference C and C# drivers, each in a host kept across iterations as a submission's is.</summary>
[Config(typeof(InProcess.Monitoring))]
public class OneCheckBenchmarks
{
    private readonly HostLauncher _launcher = new(AppContext.BaseDirectory, NativeToolchain.Shared.Toolchain?.LaunchPath, new HostLimits());
    private CCompiler? _gcc;
    private IDriverHost? _c;
    private IDriverHost _csharp = null!;
    private ICheck _check = null!;
    private RubricCheck _entry = null!;

    [GlobalSetup]
    public void Setup()
    {
        var examples = ClassBenchmark.FindExamples();
        var (rubric, checks) = Grader.LoadRubric(null);
        _entry = rubric.Checks.Single(c => c.Id == "determinism");
        _check = checks[_entry.Id];
        var assembly = new CSharpCompiler().Compile([("MyRng.cs", File.ReadAllText(Path.Combine(examples, "csharp", "reference", "MyRng.cs")))]).Assembly!;
        _csharp = new CSharpDriverHost(assembly, _launcher);
        _gcc = NativeToolchain.Shared.Toolchain is null ? null : new CCompiler();
        var build = _gcc?.Compile("bench", [("my-rng.c", File.ReadAllText(Path.Combine(examples, "c", "reference", "my-rng.c")))]);
        _c = build?.Driver is { } driver ? new CDriverHost(driver, _launcher) : null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _c?.Dispose();
        _csharp.Dispose();
        _gcc?.Dispose();
        _launcher.Dispose();
    }

    [Benchmark]
    public string DeterminismC() => _c is null ? "" : Run(_c);

    [Benchmark]
    public string DeterminismCSharp() => Run(_csharp);

    private string Run(IDriverHost host) =>
        CheckRunner.Run(_check, _entry, host, new SubmissionView("bench", "c", [], []), new Random(1)).Status;
}
