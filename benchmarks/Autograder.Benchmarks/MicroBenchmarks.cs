using Autograder.Compile;
using Autograder.Exercise;
using Autograder.Protocol;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Autograder.Benchmarks;

/// <summary>The device emulator and the grader's side of kernel calls (what every driver call costs us).</summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 5)]
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

/// <summary>The compilers: Roslyn warm (in memory, with the allowlist), gcc compile + nm + link into a host.</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class CompileBenchmarks
{
    private (string Path, string Text)[] _csharp = [];
    private (string Path, string Text)[] _c = [];
    private CSharpCompiler _roslyn = null!;
    private CCompiler? _gcc;

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
    public void Cleanup() => _gcc?.Dispose();

    [Benchmark]
    public bool RoslynWarmCompile() => _roslyn.Compile(_csharp).Success;

    [Benchmark]
    public bool GccCompileAndLink()
    {
        if (_gcc is null)
        {
            return false;
        }

        var build = _gcc.Compile("bench", _c);
        CCompiler.Delete(build);
        return build.Success;
    }
}
