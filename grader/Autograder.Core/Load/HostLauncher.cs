using System.Runtime.InteropServices;
using Autograder.Compile;
using Autograder.Protocol;

namespace Autograder.Load;

/// <summary>
/// Starts host processes the same way every time: sandboxed through the native launcher when it is
/// available (network and mount namespaces, private /tmp, an unprivileged uid when we are root, rlimits),
/// with the .NET worker capped by the GC heap limit (a small RLIMIT_AS kills the runtime). Thread-safe.
/// </summary>
internal sealed class HostLauncher : IDisposable
{
    /// <summary>Submissions one pooled worker serves before it is replaced: its load contexts are never freed
    /// (~0.5 MB of native memory per submission), so this bounds a worker near 75 MB. A start costs ~60 ms of CPU.</summary>
    public const int MaxWorkerUses = 100;

    private readonly Stack<HostProcess> _idle = new();
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly string _dotnet;
    private readonly string _workerDll;
    private readonly string? _launchPath;

    /// <param name="workerDir">Folder holding Autograder.Worker.dll (readable by the sandbox user).</param>
    /// <param name="launchPath">The native sandbox launcher, or null to run workers with no OS sandbox.</param>
    /// <param name="limits">Per-process resource limits.</param>
    public HostLauncher(string workerDir, string? launchPath, HostLimits limits)
    {
        _dotnet = DotnetHost();
        _workerDll = Path.Combine(workerDir, "Autograder.Worker.dll");
        _launchPath = launchPath;
        Limits = limits;
    }

    public HostLimits Limits { get; }

    /// <summary>Lend workers to later submissions. Off when the allowlist is off (tests of the OS sandbox):
    /// then only the allowlist's absence stands between a driver and the worker's own state.</summary>
    public bool ReuseWorkers { get; init; } = true;

    private static int _workersStarted;

    /// <summary>Workers started by this process (tests check that the pool reuses them).</summary>
    internal static int WorkersStarted => Volatile.Read(ref _workersStarted);

    /// <summary>An idle pooled worker, or a new one.</summary>
    public bool TryRentWorker(out HostProcess worker, out string problem)
    {
        HostProcess? rented = null;
        lock (_idle)
        {
            while (rented is null && _idle.TryPop(out var pooled))
            {
                if (!pooled.HasExited)
                {
                    pooled.Uses++;
                    rented = pooled;
                }
                else
                {
                    pooled.Dispose();
                }
            }
        }

        if (rented is not null)
        {
            // A new worker inherits the renting thread's CPU; a pooled one was started elsewhere.
            CpuPairing.Join(rented.Pid);
            worker = rented;
            problem = "";
            return true;
        }

        var started = TryStartWorker(out worker, out problem);
        if (started)
        {
            worker.Uses = 1;
            Interlocked.Increment(ref _workersStarted);
        }

        return started;
    }

    /// <summary>Takes a worker back after a submission that left it healthy.</summary>
    public void ReturnWorker(HostProcess worker)
    {
        if (ReuseWorkers && worker.Uses < MaxWorkerUses && !worker.HasExited)
        {
            lock (_idle)
            {
                _idle.Push(worker);
                return;
            }
        }

        worker.Kill("retired");
        worker.Dispose();
    }

    public void Dispose()
    {
        lock (_idle)
        {
            while (_idle.TryPop(out var worker))
            {
                worker.Kill("retired");
                worker.Dispose();
            }
        }
    }

    public bool Sandboxed => _launchPath is not null;

    public bool TryStartWorker(out HostProcess worker, out string problem)
    {
        var env = new Dictionary<string, string>
        {
            // Hex, as the runtime expects: the worker's managed heap cap.
            ["DOTNET_GCHeapHardLimit"] = $"0x{Limits.MemoryMb * 1024L * 1024L:x}",
            ["DOTNET_EnableDiagnostics"] = "0",
            // W^X double-maps code through a memfd, which the sandbox's zero file-size limit forbids.
            ["DOTNET_EnableWriteXorExecute"] = "0",
            ["DOTNET_TieredPGO"] = "0",
            ["DOTNET_TC_CallCounting"] = "0",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_GCgen0size"] = "0x1000000",
        };
        IReadOnlyList<string> args = _launchPath is null
            ? [_workerDll]
            : ["--in-fd", "{in}", "--out-fd", "{out}", "--nproc", "512", "--view",
                "--view-path", Path.GetDirectoryName(Path.GetFullPath(_dotnet))!, "--view-path", Path.GetDirectoryName(_workerDll)!,
                "--", _dotnet, _workerDll];
        var command = new HostCommand(HostKind.CSharp, _launchPath ?? _dotnet, args, env);
        return TryStart(command, out worker, out problem, out _);
    }

    /// <summary>Starts the C fork server of a compiled driver (the prebuilt host loading its object): one
    /// sandbox set-up (namespaces, private /tmp, uid, memory and file limits) for all its instances; see
    /// <see cref="TryFork"/>. No driver code runs before the server's Ready, so a failure to start is ours
    /// (<see cref="CallStatus.HarnessError"/>), except the loader refusing the student's object
    /// (<see cref="NativeExitCodes.LoadRefused"/>), which is the submission's (<see cref="CallStatus.HostFailed"/>).</summary>
    public bool TryStartC(CDriver driver, out HostProcess server, out DriverCall failure)
    {
        // The host applies its own sandbox (it must: each child installs seccomp after the fork).
        IReadOnlyList<string> args = ["--driver", driver.Object, "--fork-server", "--mem-mb", Limits.MemoryMb.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var started = TryStart(new HostCommand(HostKind.C, driver.Host, args, new Dictionary<string, string>()), out server, out var problem, out var code);
        // The loader's own words (our code, before any of the driver's ran): "autograder host: cannot load the driver: why".
        const string Said = "cannot load the driver: ";
        var why = problem.LastIndexOf(Said, StringComparison.Ordinal) is var at and >= 0 ? problem[(at + Said.Length)..] : problem;
        failure = started ? null! : code == NativeExitCodes.LoadRefused
            ? new DriverCall(CallStatus.HostFailed, 0, "the driver's object could not be loaded: " + DriverInstance.Quote(why))
            : new DriverCall(CallStatus.HarnessError, 0, problem);
        return started;
    }

    /// <summary>
    /// Forks one driver instance from a C fork server: Fork, the server's Forked (the child's pid), the
    /// child's Ready. On failure the server may be unusable: the caller replaces it.
    /// </summary>
    public static bool TryFork(HostProcess server, CheckBudget budget, out HostProcess child, out string problem)
    {
        // The child's own RLIMIT_CPU backs up the watchdog (which kills at budget.Cpu).
        var cpu = (uint)Math.Ceiling(budget.Cpu.TotalSeconds) + 1;
        HostProcess? forked = null;
        // On this thread, no hop to the pool: a hung handshake is ended by killing the server (its children die
        // with it), which ends the reads below.
        var failure = WithDeadline(server, "did not fork in time", () =>
        {
            server.Writer.Start(Msg.Fork).U32(cpu).SendTo(server.ToHost);
            var r = server.Reader;
            if (!r.Read(server.FromHost) || r.Type != Msg.Forked)
            {
                return "the fork server did not answer Fork";
            }

            var pid = (int)r.U32();
            var why = r.Str();
            if (pid == 0)
            {
                return $"the fork server could not fork: {why}";
            }

            // The child's pipes, straight from the server's fds: no relay, so a round trip wakes two processes.
            var (toFd, fromFd) = (r.U32(), r.U32());
            forked = server.ForkedChild(pid, OpenFd(server.Pid, toFd, FileAccess.Write), OpenFd(server.Pid, fromFd, FileAccess.Read));
            server.Writer.Start(Msg.Attached).SendTo(server.ToHost);
            r = forked.Reader;
            if (!r.Read(forked.FromHost))
            {
                return $"the forked C host {forked.DescribeExit()} before Ready: {forked.Output.Trim()}";
            }

            if (r.Type != Msg.Ready)
            {
                return $"the forked C host sent {r.Type} instead of Ready";
            }

            var version = r.U32();
            return version == Layout.ProtocolVersion ? null : $"protocol version {version}, expected {Layout.ProtocolVersion}";
        });
        if (failure is null && forked is not null)
        {
            child = forked;
            problem = "";
            return true;
        }

        // The channel may be mid-frame: the server goes, and with it the child.
        server.Kill("failed to fork");
        forked?.ToHost.Dispose();
        forked?.FromHost.Dispose();
        child = null!;
        problem = failure ?? "no child";
        return false;
    }

    /// <summary>Starts a host and waits for its Ready; <paramref name="exitCode"/> is how it ended when it failed
    /// by exiting on its own (else null).</summary>
    private static bool TryStart(HostCommand command, out HostProcess host, out string problem, out int? exitCode)
    {
        exitCode = null;
        try
        {
            host = HostProcess.Start(command);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            host = null!;
            problem = $"could not start {Path.GetFileName(command.FileName)}: {e.Message}";
            return false;
        }

        var started = host;
        var failure = WithDeadline(host, "did not start in time", () =>
        {
            if (!started.Reader.Read(started.FromHost) || started.Reader.Type != Msg.Ready)
            {
                return "it did not say Ready";
            }

            var version = started.Reader.U32();
            return version == Layout.ProtocolVersion ? null : $"protocol version {version}, expected {Layout.ProtocolVersion}";
        });
        if (failure is null)
        {
            problem = "";
            return true;
        }

        exitCode = host.EndedWith(TimeSpan.FromSeconds(2));
        host.Kill("failed to start");
        var how = host.DescribeExit();
        problem = exitCode == NativeExitCodes.LoadRefused
            ? host.Output.Trim()
            : $"the {(command.Kind == HostKind.CSharp ? "C# worker" : "C host")} failed to start ({failure}; it {how}): {host.Output.Trim()}";
        host.Dispose();
        host = null!;
        return false;
    }

    /// <summary>Another process's fd, opened anew through /proc (a pipe end: the same pipe, our own descriptor).</summary>
    private static FileStream OpenFd(int pid, uint fd, FileAccess access) =>
        new(File.OpenHandle($"/proc/{pid}/fd/{fd}", FileMode.Open, access, FileShare.ReadWrite), access, bufferSize: 0);

    /// <summary>Sends a command that makes no kernel calls (LoadAssembly) and waits for its Result.</summary>
    public static DriverCall Call(HostProcess host, Action<FrameWriter> build, TimeSpan timeout)
    {
        DriverCall? result = null;
        var failure = WithDeadline(host, "timed out loading", () =>
        {
            build(host.Writer);
            host.Writer.SendTo(host.ToHost);
            var r = host.Reader;
            if (!r.Read(host.FromHost) || r.Type != Msg.Result)
            {
                return "no result";
            }

            var status = (ResultStatus)r.U8();
            var value = r.I64();
            var message = r.Str();
            result = status == ResultStatus.Ok
                ? new DriverCall(CallStatus.Returned, value, null)
                : new DriverCall(CallStatus.HostFailed, 0, DriverInstance.Quote(message));
            return null;
        }, timeout);
        // The worker had the submission's assembly: whatever went wrong from here is the submission's.
        return result ?? new DriverCall(CallStatus.HostFailed, 0, failure);
    }

    /// <summary>
    /// Runs a handshake with <paramref name="host"/> on this thread; past <paramref name="timeout"/> (default
    /// <see cref="ReadyTimeout"/>) the host is killed, which ends its blocking reads. Returns the handshake's
    /// problem, or null.
    /// </summary>
    private static string? WithDeadline(HostProcess host, string killReason, Func<string?> handshake, TimeSpan? timeout = null)
    {
        var limit = timeout ?? ReadyTimeout;
        using var deadline = new Timer(_ => host.Kill(killReason), null, limit, Timeout.InfiniteTimeSpan);
        try
        {
            var problem = handshake();
            return host.KillReason == killReason ? $"no answer within {limit.TotalSeconds:0} s" : problem;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or InvalidDataException or ObjectDisposedException)
        {
            return host.KillReason == killReason ? $"no answer within {limit.TotalSeconds:0} s" : e.Message;
        }
    }

    /// <summary>The dotnet host running us (so the worker uses the same runtime).</summary>
    private static string DotnetHost()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv))
        {
            return fromEnv;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var candidate = Path.Combine(root, "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}

/// <summary>Resource limits of one host process.</summary>
internal sealed record HostLimits
{
    public int MemoryMb { get; init; } = 256;
}
