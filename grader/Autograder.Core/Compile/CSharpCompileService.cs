using System.Diagnostics;
using System.Text;
using Autograder.Load;
using Autograder.Protocol;

namespace Autograder.Compile;

/// <summary>
/// Compiles students' C# out of the grader's process: in compile services (the worker executable's
/// <c>--compile</c> mode, started through the same sandbox as the workers), each with a GC heap limit of
/// <see cref="MemoryMb"/> and watched here for <see cref="TimeLimit"/> of CPU (or twice that of wall-clock
/// time) per compilation. A source that exhausts Roslyn fails its own build, its service is killed, and the
/// next compilation gets a fresh one. Services are warm (Roslyn JIT-compiled and its references read once per
/// service) and pooled: they only parse and emit, never load what they compiled. Whatever a service sends, or
/// how it ends, is the submission's doing; only failing to start one is the grader's. Thread-safe.
/// </summary>
internal sealed class CSharpCompileService(HostLauncher launcher, bool enforceAllowlist = true) : IDisposable
{
    public const int MemoryMb = 1024;
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WallLimit = 2 * TimeLimit;
    private const string OverTime = "compiling took too long";
    private const int MaxPathBytes = 4096;

    /// <summary>Services at most (idle, busy or starting): a warm compilation takes tens of milliseconds, so
    /// one per core keeps up with every job, and a job that finds none idle waits rather than warm up another.</summary>
    private static readonly int MaxServices = Math.Max(1, Environment.ProcessorCount);

    private readonly Stack<HostProcess> _idle = new();
    private int _live;
    private bool _disposed;
    private static int _started;

    /// <summary>Compile services started by this process (tests check a breach restarts one).</summary>
    internal static int ServicesStarted => Volatile.Read(ref _started);

    /// <summary>Starts one service in the background, so the first C# submission finds Roslyn warm.</summary>
    public void WarmUp()
    {
        lock (_idle)
        {
            _live++;
        }

        Spawner.InBackground(() =>
        {
            if (TryStart(out var service, out _))
            {
                Return(service);
            }
            else
            {
                Lost();
            }
        });
    }

    public CSharpBuild Compile(IReadOnlyList<(string Path, string Text)> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        // The request is one frame: u8 flags, u32 n, n x (string, string).
        var size = 1 + 1 + 4 + sources.Sum(s => 8L + Encoding.UTF8.GetByteCount(s.Path) + Encoding.UTF8.GetByteCount(s.Text));
        if (size > Layout.MaxFrame)
        {
            return CSharpBuild.Failed($"The sources are {size} bytes; the C# compiler takes at most 1 MiB.");
        }

        var service = Rent();
        if (service is null && !TryStart(out service, out var problem))
        {
            Lost();
            return new CSharpBuild(false, null, [], GraderGap: $"the C# compile service could not start: {problem}");
        }

        var (build, healthy) = Run(service, sources);
        if (healthy)
        {
            Return(service);
        }
        else
        {
            service.Kill("compile failed");
            service.Dispose();
            Lost();
        }

        return build;
    }

    /// <summary>An idle service; or null when the caller is to start one (counted already); waits while
    /// <see cref="MaxServices"/> are busy or starting.</summary>
    private HostProcess? Rent()
    {
        lock (_idle)
        {
            while (true)
            {
                while (_idle.TryPop(out var pooled))
                {
                    if (!pooled.HasExited)
                    {
                        return pooled;
                    }

                    pooled.Dispose();
                    _live--;
                }

                if (_live < MaxServices || _disposed)
                {
                    _live++;
                    return null;
                }

                Monitor.Wait(_idle);
            }
        }
    }

    /// <summary>A service is gone (killed, or never started): another may start.</summary>
    private void Lost()
    {
        lock (_idle)
        {
            _live--;
            Monitor.PulseAll(_idle);
        }
    }

    private (CSharpBuild Build, bool Healthy) Run(HostProcess service, IReadOnlyList<(string Path, string Text)> sources)
    {
        var cpuAtStart = service.CpuTime();
        var clock = Stopwatch.StartNew();
        var watching = new Lock();
        var done = false;
        using var watchdog = new Timer(_ =>
        {
            lock (watching)
            {
                if (!done && (service.CpuTime() - cpuAtStart > TimeLimit || clock.Elapsed > WallLimit))
                {
                    service.Kill(OverTime);
                }
            }
        }, null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));

        string? violation;
        var diagnostics = new List<Model.Diagnostic>();
        var (success, failure, assembly) = (false, "", Array.Empty<byte>());
        try
        {
            var w = service.Writer.Start(Msg.Compile).U8(enforceAllowlist ? (byte)1 : (byte)0).U32((uint)sources.Count);
            foreach (var (path, text) in sources)
            {
                w.Str(path).Str(text);
            }

            w.SendTo(service.ToHost);
            violation = ReadAnswer(service.Reader, service.FromHost, diagnostics, out success, out failure, out assembly);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or ObjectDisposedException)
        {
            violation = e.Message;
        }

        lock (watching)
        {
            done = true;
        }

        if (violation is null)
        {
            return failure.Length > 0 || !success
                ? (new CSharpBuild(false, null, diagnostics, failure.Length > 0 ? CSharpCompiler.Cap(failure) : null), true)
                : (new CSharpBuild(true, assembly, diagnostics), true);
        }

        // How it ended (waits up to 2 s for a service that is still running, then kills it).
        var how = service.DescribeExit();
        var message = service.KillReason == OverTime
            ? $"Compiling took over {TimeLimit.TotalSeconds:0} s: the C# compiler was stopped (deeply nested lambdas or generic calls can make it search for minutes)."
            : how == "out of memory" || how == $"exited with code {OutOfMemoryExit}"
                ? $"Compiling used over {MemoryMb / 1024} GiB of memory: the C# compiler was stopped."
                : $"The C# compiler failed on this driver ({violation}; the compile service {how}).";
        return (CSharpBuild.Failed(message) with { Diagnostics = diagnostics }, false);
    }

    /// <summary>The worker's exit code for an exhausted heap (Autograder.Worker's ExitCodes.OutOfMemory).</summary>
    private const int OutOfMemoryExit = 5;

    /// <summary>Reads the Diagnostic frames and the Compiled frame; returns what was wrong with them, or null.</summary>
    private static string? ReadAnswer(FrameReader r, Stream from, List<Model.Diagnostic> diagnostics, out bool success, out string failure, out byte[] assembly)
    {
        (success, failure, assembly) = (false, "", []);
        while (true)
        {
            if (!r.Read(from))
            {
                return "no answer";
            }

            if (r.Type == Msg.Compiled)
            {
                success = r.U8() == 1;
                failure = r.Str();
                var image = r.Blob();
                if (image.Length > CSharpCompiler.MaxAssembly)
                {
                    return $"an assembly of {image.Length} bytes";
                }

                assembly = image.ToArray();
                return success && assembly.Length == 0 && failure.Length == 0 ? "success without an assembly" : null;
            }

            if (r.Type != Msg.Diagnostic || diagnostics.Count >= CSharpCompiler.MaxDiagnostics)
            {
                return $"unexpected {r.Type} frame";
            }

            var severity = r.Str();
            var file = r.Str();
            var (line, column) = ((int)Math.Min(r.U32(), int.MaxValue), (int)Math.Min(r.U32(), int.MaxValue));
            var message = r.Str();
            var code = r.Str();
            if (severity is not ("error" or "warning" or "note") || file.Length > MaxPathBytes || code.Length > 64)
            {
                return "a malformed diagnostic";
            }

            diagnostics.Add(new Model.Diagnostic(severity, file, line, column, CSharpCompiler.Cap(message), code.Length == 0 ? null : code));
        }
    }

    private bool TryStart(out HostProcess service, out string problem)
    {
        if (!launcher.TryStartCompileService(MemoryMb, out service, out problem))
        {
            return false;
        }

        Interlocked.Increment(ref _started);
        return true;
    }

    private void Return(HostProcess service)
    {
        lock (_idle)
        {
            if (!_disposed)
            {
                _idle.Push(service);
                Monitor.PulseAll(_idle);
                return;
            }
        }

        service.Kill("retired");
        service.Dispose();
        Lost();
    }

    public void Dispose()
    {
        lock (_idle)
        {
            _disposed = true;
            while (_idle.TryPop(out var service))
            {
                service.Kill("retired");
                service.Dispose();
            }

            Monitor.PulseAll(_idle);
        }
    }
}
