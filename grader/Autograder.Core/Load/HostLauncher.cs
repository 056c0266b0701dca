using System.Runtime.InteropServices;
using Autograder.Compile;
using Autograder.Protocol;

namespace Autograder.Load;

/// <summary>
/// Starts host processes the same way every time: sandboxed through the native launcher when it is
/// available (network and mount namespaces, private /tmp, an unprivileged uid when we are root, rlimits),
/// with the .NET worker capped by the GC heap limit (a small RLIMIT_AS kills the runtime). No C# worker serves
/// two submissions: a load context and the allowlist are no security boundary, a process is. To hide the
/// start latency, fresh workers (never used) are started ahead in the background. Thread-safe.
/// </summary>
internal sealed class HostLauncher : IDisposable
{
    /// <summary>Fresh workers kept started ahead: enough for the jobs that finish a submission about together.</summary>
    private const int Ahead = 2;

    private readonly Stack<HostProcess> _fresh = new();
    // Hosts that may outlive the thread that started them (compile services, workers started ahead): killed by
    // Dispose wherever they are, also while they start (a run interrupted by Ctrl+C leaves none behind).
    private readonly List<HostProcess> _longLived = [];
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    // For long-lived hosts: a compile service says Ready once Roslyn is warm (seconds of CPU, more on a crowded machine).
    private static readonly TimeSpan CompileReadyTimeout = TimeSpan.FromSeconds(120);

    private readonly string _dotnet;
    private readonly string _workerDll;
    private readonly string? _launchPath;
    private int _starting;
    private bool _disposed;

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

    /// <summary>Start fresh workers ahead of need (off in tests that count the workers started).</summary>
    public bool StartAhead { get; init; } = true;

    private static int _workersStarted;

    /// <summary>Workers started by this process (tests check that no submission gets another's).</summary>
    internal static int WorkersStarted => Volatile.Read(ref _workersStarted);

    /// <summary>A fresh worker, never used by any submission: one started ahead, or a new one.</summary>
    public bool TryRentWorker(out HostProcess worker, out string problem)
    {
        HostProcess? ready = null;
        lock (_fresh)
        {
            while (ready is null && _fresh.TryPop(out var started))
            {
                if (!started.HasExited)
                {
                    ready = started;
                }
                else
                {
                    started.Dispose();
                }
            }
        }

        StartAheadInBackground();
        if (ready is not null)
        {
            // A new worker inherits the renting thread's CPU; one started ahead was started elsewhere.
            CpuPairing.Join(ready.Pid);
            worker = ready;
            problem = "";
            return true;
        }

        var ok = TryStartWorker(out worker, out problem);
        if (ok)
        {
            Interlocked.Increment(ref _workersStarted);
        }

        return ok;
    }

    private static void End(HostProcess worker)
    {
        worker.Kill("retired");
        worker.Dispose();
    }

    private void StartAheadInBackground()
    {
        if (!StartAhead)
        {
            return;
        }

        lock (_fresh)
        {
            if (_disposed || _fresh.Count + _starting >= Ahead)
            {
                return;
            }

            _starting++;
        }

        Spawner.InBackground(() =>
        {
            var ok = TryStartWorker(out var worker, out _, longLived: true);
            lock (_fresh)
            {
                _starting--;
                if (ok && !_disposed)
                {
                    Interlocked.Increment(ref _workersStarted);
                    _fresh.Push(worker);
                    return;
                }
            }

            if (ok)
            {
                End(worker);
            }
        });
    }

    public void Dispose()
    {
        lock (_fresh)
        {
            _disposed = true;
            while (_fresh.TryPop(out var worker))
            {
                End(worker);
            }

            foreach (var host in _longLived)
            {
                host.Kill("retired");
            }

            _longLived.Clear();
        }
    }

    /// <summary>Keeps a long-lived host to kill on Dispose (or kills it now, after Dispose).</summary>
    private void Track(HostProcess host)
    {
        lock (_fresh)
        {
            if (_disposed)
            {
                host.Kill("retired");
                return;
            }

            _longLived.RemoveAll(h => h.HasExited);
            _longLived.Add(host);
        }
    }

    public bool Sandboxed => _launchPath is not null;

    /// <summary>Starts a worker; a <paramref name="longLived"/> one (started ahead) may outlive the calling thread.</summary>
    public bool TryStartWorker(out HostProcess worker, out string problem, bool longLived = false) =>
        TryStartDotnet([], Limits.MemoryMb, longLived, out worker, out problem);

    /// <summary>Starts a C# compile service (the worker executable's --compile mode) with its own heap limit; it
    /// serves every job, so it may outlive the calling thread.</summary>
    public bool TryStartCompileService(int memoryMb, out HostProcess service, out string problem) =>
        TryStartDotnet(["--compile"], memoryMb, longLived: true, out service, out problem);

    private bool TryStartDotnet(IReadOnlyList<string> mode, int memoryMb, bool longLived, out HostProcess worker, out string problem)
    {
        var env = new Dictionary<string, string>
        {
            // Hex, as the runtime expects: the worker's managed heap cap.
            ["DOTNET_GCHeapHardLimit"] = $"0x{memoryMb * 1024L * 1024L:x}",
            ["DOTNET_EnableDiagnostics"] = "0",
            // W^X double-maps code through a memfd, which the sandbox's zero file-size limit forbids.
            ["DOTNET_EnableWriteXorExecute"] = "0",
            ["DOTNET_TieredPGO"] = "0",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_GCgen0size"] = "0x1000000",
        };
        // A worker runs a driver's few methods briefly: tier-0 code, never recompiled. A compile service keeps
        // tiered compilation: Roslyn's ReadyToRun code as it is, the rest JIT-compiled quickly first (a student's
        // single `check` of C#: 1.3 -> 1.0 s) and optimised once hot (a class: within noise of compiling it
        // optimised at once).
        if (mode.Count == 0)
        {
            env["DOTNET_TC_CallCounting"] = "0";
        }

        IReadOnlyList<string> args = _launchPath is null
            ? [_workerDll, .. mode]
            : ["--in-fd", "{in}", "--out-fd", "{out}", "--nproc", "512", "--view",
                "--view-path", Path.GetDirectoryName(Path.GetFullPath(_dotnet))!, "--view-path", Path.GetDirectoryName(_workerDll)!,
                "--", _dotnet, _workerDll, .. mode];
        // Through aglaunch as root the worker lives in a PID namespace that dies with aglaunch.
        var command = new HostCommand(HostKind.CSharp, _launchPath ?? _dotnet, args, env, DiesAsOne: _launchPath is not null && Environment.IsPrivilegedProcess);
        return TryStart(command, out worker, out problem, out _, longLived);
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
        var started = TryStart(new HostCommand(HostKind.C, driver.Host, args, new Dictionary<string, string>(), DiesAsOne: true), out server, out var problem, out var code);
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
            var (userMs, totalMs) = budget.CallTimersMs(HostKind.C);
            server.Writer.Start(Msg.Fork).U32(cpu).U32(userMs).U32(totalMs).SendTo(server.ToHost);
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
    /// by exiting on its own (else null). A <paramref name="longLived"/> host is forked on the
    /// <see cref="Spawner"/> thread: it may outlive the calling thread.</summary>
    private bool TryStart(HostCommand command, out HostProcess host, out string problem, out int? exitCode, bool longLived = false)
    {
        exitCode = null;
        try
        {
            host = longLived ? Spawner.Run(() => HostProcess.Start(command)) : HostProcess.Start(command);
            if (longLived)
            {
                Track(host);
            }
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
        }, longLived ? CompileReadyTimeout : null);
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
