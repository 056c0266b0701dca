using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using Autograder.Protocol;

namespace Autograder.Load;

/// <summary>How to start a host: the program and its arguments (the channel fds are appended).
/// <paramref name="DiesAsOne"/>: killing the process ends everything it started (a C host's children have
/// PR_SET_PDEATHSIG; as root aglaunch's program runs in its own PID namespace, whose init of ours dies with
/// aglaunch and takes the namespace with it), so a kill need not walk /proc for the tree (Process.Kill(true) reads every process's
/// stat file: it was ~40 % of a busy grader's CPU, one walk a C# submission).</summary>
internal sealed record HostCommand(HostKind Kind, string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment,
    bool DiesAsOne = false);

/// <summary>Which host: the C# worker runs only our code besides the driver; the C host shares its process with it.</summary>
internal enum HostKind { CSharp, C }

/// <summary>
/// One host process (the C# worker, or a C fork server) and its framed channel, or one child of a C fork
/// server (<see cref="ForkedChild"/>). The channel is two inherited anonymous pipes; stdout/stderr are the
/// submission's output, drained and capped so a flood cannot block or exhaust us. Not thread-safe except
/// <see cref="Kill"/> and <see cref="CpuTime"/>.
/// </summary>
internal sealed class HostProcess : IDisposable
{
    // Spawning is serialised: while one child's inheritable pipe ends exist, no other child may be
    // started, or it would inherit them and keep our EOF detection from ever firing.
    private static readonly Lock SpawnLock = new();
    private const int OutputCap = 64 * 1024;

    private readonly Process? _process;
    private readonly AnonymousPipeServerStream? _toHost;
    private readonly AnonymousPipeServerStream? _fromHost;
    private readonly StringBuilder _output = new();
    private readonly Task _stdout = Task.CompletedTask;
    private readonly Task _stderr = Task.CompletedTask;
    private long _outputBytes;
    private volatile bool _stackOverflow;
    private volatile bool _outOfMemory;
    private volatile bool _killed;
    private volatile bool _disposed;

    // A fork-server child: its pid is the one Forked reported (CPU time and kills are its own), and the
    // server's ChildEnded says how it ended; the server reaps it only then, so its pid stays valid until
    // ChildEnded. Its channel is its own: the server's pipes to it, opened through /proc/<server>/fd.
    private readonly HostProcess? _server;
    private readonly Stream? _toChild;
    private readonly Stream? _fromChild;
    private readonly int _outputMark;
    private readonly Lock _childLock = new();
    private string? _childEnd;
    private int _childSignal;

    private readonly bool _diesAsOne;

    private HostProcess(HostKind kind, Process process, AnonymousPipeServerStream toHost, AnonymousPipeServerStream fromHost, bool diesAsOne)
    {
        Kind = kind;
        _diesAsOne = diesAsOne;
        Pid = process.Id;
        _process = process;
        _toHost = toHost;
        _fromHost = fromHost;
        _stdout = DrainAsync(process.StandardOutput);
        _stderr = DrainAsync(process.StandardError);
        Writer = new FrameWriter();
        Reader = new FrameReader();
    }

    private HostProcess(HostProcess server, int pid, Stream toChild, Stream fromChild)
    {
        Kind = server.Kind;
        Pid = pid;
        _server = server;
        _toChild = toChild;
        _fromChild = fromChild;
        lock (server._output)
        {
            _outputMark = server._output.Length;
        }

        Writer = new FrameWriter();
        Reader = new FrameReader();
    }

    public HostKind Kind { get; }
    public Stream ToHost => _toChild ?? _toHost!;
    public Stream FromHost => _fromChild ?? _fromHost!;
    public int Pid { get; }
    public FrameWriter Writer { get; }
    public FrameReader Reader { get; }
    /// <summary>Why the grader killed it (timeout), or null.</summary>
    public string? KillReason { get; private set; }

    public static HostProcess Start(HostCommand command)
    {
        var psi = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };

        // Hosts see none of our environment (CI tokens live there), only what they need.
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/bin:/bin";
        psi.Environment["HOME"] = "/tmp";
        psi.Environment["LANG"] = "C.UTF-8";
        foreach (var (k, v) in command.Environment)
        {
            psi.Environment[k] = v;
        }

        lock (SpawnLock)
        {
            var toHost = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
            var fromHost = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
            try
            {
                // "{in}"/"{out}" stand for the channel fds (a launcher passes them on); else they go last.
                var inFd = toHost.GetClientHandleAsString();
                var outFd = fromHost.GetClientHandleAsString();
                var placed = false;
                foreach (var a in command.Arguments)
                {
                    placed |= a.Contains("{in}", StringComparison.Ordinal);
                    psi.ArgumentList.Add(a.Replace("{in}", inFd, StringComparison.Ordinal).Replace("{out}", outFd, StringComparison.Ordinal));
                }

                if (!placed)
                {
                    psi.ArgumentList.Add("--in-fd");
                    psi.ArgumentList.Add(inFd);
                    psi.ArgumentList.Add("--out-fd");
                    psi.ArgumentList.Add(outFd);
                }

                var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command.FileName}");
                process.StandardInput.Close();
                return new HostProcess(command.Kind, process, toHost, fromHost, command.DiesAsOne);
            }
            catch
            {
                toHost.Dispose();
                fromHost.Dispose();
                throw;
            }
            finally
            {
                toHost.DisposeLocalCopyOfClientHandle();
                fromHost.DisposeLocalCopyOfClientHandle();
            }
        }
    }

    /// <summary>User + system CPU time of the process and the processes it started (from /proc): the .NET
    /// worker runs as aglaunch's child, in its own PID namespace. A fork-server child cannot have children
    /// (RLIMIT_NPROC 0, seccomp): only its own stat is read. Zero once they are gone.</summary>
    public TimeSpan CpuTime() => TimeSpan.FromSeconds(TreeTicks(Pid, depth: IsForkChild ? MaxDepth : 0) / 100.0);

    private const int MaxDepth = 3;

    private static long TreeTicks(int pid, int depth)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(rest[11], System.Globalization.CultureInfo.InvariantCulture)
                      + long.Parse(rest[12], System.Globalization.CultureInfo.InvariantCulture);
            if (depth < MaxDepth && File.Exists($"/proc/{pid}/task/{pid}/children"))
            {
                foreach (var child in File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    ticks += TreeTicks(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture), depth + 1);
                }
            }

            return ticks;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    // A disposed server counts as exited: its children may still ask (cancellation disposes hosts mid-check).
    public bool HasExited => _server is null ? _disposed || _process!.HasExited : _childEnd is not null || _server.HasExited;

    /// <summary>The exit code of a (non-forked) process that ended within <paramref name="wait"/>, else null.</summary>
    public int? EndedWith(TimeSpan wait) => _server is null && _process!.WaitForExit(wait) ? _process.ExitCode : null;

    /// <summary>A child the fork server (this process) just reported in Forked, talking over its own pipes.</summary>
    public HostProcess ForkedChild(int pid, Stream toChild, Stream fromChild) => new(this, pid, toChild, fromChild);

    /// <summary>A fork server's child: its CPU time started at zero (fork resets it) and it serves one driver
    /// instance, so one check.</summary>
    public bool IsForkChild => _server is not null;

    /// <summary>Records the fork server's ChildEnded frame (the reader is positioned after its type).</summary>
    public void ChildEnded(FrameReader r)
    {
        _ = r.U32();
        var signalled = r.U8() != 0;
        var code = (int)r.U32();
        var note = r.Str();
        var how = signalled
            ? $"killed by {SignalName(code)}"
            : code switch
            {
                0 => "exited",
                86 => "oopsed",
                _ => $"exited with code {code}",
            };
        lock (_childLock)
        {
            _childEnd = note.Length > 0 ? $"{how} ({note})" : how;
            _childSignal = signalled ? code : 0;
        }
    }

    /// <summary>Kills the whole process tree (a fork-server child: only that child); safe from any thread, idempotent.</summary>
    public void Kill(string reason)
    {
        if (_killed)
        {
            return;
        }

        KillReason ??= reason;
        _killed = true;
        if (_server is not null)
        {
            KillChild();
            return;
        }

        try
        {
            _process!.Kill(entireProcessTree: !_diesAsOne);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void KillChild()
    {
        lock (_childLock)
        {
            // Once ChildEnded arrived the pid was reaped and may belong to someone else.
            if (_childEnd is not null)
            {
                return;
            }

            try
            {
                using var child = Process.GetProcessById(Pid);
                child.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone (the server reports it).
            }
        }
    }

    /// <summary>
    /// Waits for the server's ChildEnded: after End, or after the grader gave up on the child, so the
    /// server's channel is clean for the next Fork. A child still running after
    /// <paramref name="grace"/> is killed; a server that does not report it then is killed too (the
    /// driver host replaces it).
    /// </summary>
    private void AwaitChildEnd(TimeSpan grace)
    {
        if (_childEnd is not null)
        {
            return;
        }

        var server = _server!;
        // Read on this thread (no hop to the pool); a child still running after the grace is killed, and a
        // server that does not report it 2 s later is killed too, which ends the read.
        using var killChild = new Timer(_ => KillChild(), null, grace, Timeout.InfiniteTimeSpan);
        using var killServer = new Timer(_ => server.Kill("lost track of its child"), null, grace + TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        try
        {
            while (server.Reader.Read(server.FromHost))
            {
                if (server.Reader.Type == Msg.ChildEnded)
                {
                    ChildEnded(server.Reader);
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException)
        {
            // The server is broken; the driver host replaces it.
        }

        lock (_childLock)
        {
            _childEnd ??= server._disposed ? "was lost with its fork server (retired)"
                : $"was lost with its fork server, which {(server.HasExited ? server.DescribeExit() : "stopped answering")}";
        }
    }

    /// <summary>SIGVTALRM: how the hosts' own timers end a driver call past its user-mode CPU budget.</summary>
    public const int UserTimerSignal = 26;

    /// <summary>SIGPROF: how the hosts' own timers end a driver call past its total CPU budget.</summary>
    public const int TotalTimerSignal = 27;

    /// <summary>The signal that ended the process (0: it exited, or is not known to have ended). Call after
    /// <see cref="DescribeExit"/>. It is the sandbox's word: it may say how the submission failed, never that
    /// the grader did.</summary>
    public int EndSignal
    {
        get
        {
            if (_server is not null)
            {
                lock (_childLock)
                {
                    return _childSignal;
                }
            }

            // .NET reports a death by signal N as 128 + N.
            return _process!.HasExited && _process.ExitCode is > 128 and < 160 ? _process.ExitCode - 128 : 0;
        }
    }

    /// <summary>Waits briefly for the process to end and describes how it ended.</summary>
    public string DescribeExit()
    {
        if (_server is not null)
        {
            AwaitChildEnd(TimeSpan.FromSeconds(2));
            return KillReason ?? _childEnd!;
        }

        var process = _process!;
        if (!process.WaitForExit(2000))
        {
            Kill("did not exit after its channel closed");
            process.WaitForExit(2000);
        }

        if (KillReason is not null)
        {
            return KillReason;
        }

        var code = process.ExitCode;
        // The runtime's last words are on stderr: let the drains finish reading them.
        Task.WaitAll([_stdout, _stderr], 2000);

        // .NET reports a death by signal N as 128 + N.
        return code switch
        {
            0 => "exited",
            86 => "oopsed",
            // The runtime ends a stack overflow or an out-of-memory by a signal (abort(), or the fault that
            // follows it): how it ended is what it printed.
            > 128 and < 160 when _stackOverflow => "stack overflow",
            > 128 and < 160 when _outOfMemory => "out of memory",
            > 128 and < 160 => $"killed by {SignalName(code - 128)}",
            _ => $"exited with code {code}",
        };
    }

    /// <summary>The captured stdout and stderr (capped). A fork-server child's is what the server's pipes
    /// carried since its fork, as drained so far (its last lines may still be in the pipe).</summary>
    public string Output
    {
        get
        {
            if (_server is not null)
            {
                lock (_server._output)
                {
                    return _server._output.ToString(_outputMark, _server._output.Length - _outputMark);
                }
            }

            Task.WaitAll([_stdout, _stderr], 1000);
            return OutputSince(0);
        }
    }

    /// <summary>What the process printed so far, from <paramref name="mark"/> (an earlier <see cref="OutputLength"/>)
    /// on, without waiting (a live worker's pipes stay open).</summary>
    public string OutputSince(int mark)
    {
        lock (_output)
        {
            var text = mark >= _output.Length ? "" : _output.ToString(mark, _output.Length - mark);
            return _outputBytes > OutputCap ? text + $"\n[... output truncated: {_outputBytes} bytes in all]" : text;
        }
    }

    public int OutputLength
    {
        get
        {
            lock (_output)
            {
                return _output.Length;
            }
        }
    }

    /// <summary>
    /// Kills a fork server whose children have all ended and returns what it printed, without waiting for it
    /// to go: its namespaces take ~20 ms to tear down, which a submission need not wait for. Its output is
    /// complete already (children's before their ChildEnded, the server's own at start); the process is
    /// reaped and its pipes closed in the background.
    /// </summary>
    public string KillAndRelease(string reason)
    {
        Kill(reason);
        var output = OutputSince(0);
        _ = Task.WhenAll(_stdout, _stderr).WaitAsync(TimeSpan.FromSeconds(5))
            .ContinueWith(_ => Dispose(), TaskScheduler.Default);
        return output;
    }

    public void Dispose()
    {
        if (_server is not null)
        {
            // Closing its channel ends a child waiting for a command; the server then reports it.
            _toChild!.Dispose();
            _fromChild!.Dispose();
            if (_childEnd is null && !_server.HasExited)
            {
                AwaitChildEnd(TimeSpan.FromSeconds(2));
            }

            return;
        }

        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process!.HasExited)
        {
            Kill("disposed");
        }

        _toHost!.Dispose();
        _fromHost!.Dispose();
        _process.Dispose();
    }

    private async Task DrainAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        try
        {
            int n;
            var carry = "";
            while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                // How the runtime died is told on stderr; remember it whatever the cap kept (a pooled
                // worker's earlier output may have used the cap up) and across chunk boundaries.
                var window = carry + new string(buffer, 0, n);
                _stackOverflow |= window.Contains("Stack overflow", StringComparison.Ordinal);
                _outOfMemory |= window.Contains("OutOfMemory", StringComparison.Ordinal);
                carry = new string(buffer, Math.Max(0, n - 32), Math.Min(n, 32));
                lock (_output)
                {
                    if (_output.Length < OutputCap)
                    {
                        _output.Append(buffer, 0, Math.Min(n, OutputCap - _output.Length));
                    }

                    _outputBytes += n;
                }
            }
        }
        catch (IOException)
        {
            // The process died; what we have is what there was.
        }
    }

    internal static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT (abort)",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV (segmentation fault)",
        24 => "SIGXCPU (CPU time limit)",
        26 => "SIGVTALRM (CPU timer)",
        27 => "SIGPROF (CPU timer)",
        25 => "SIGXFSZ (file size limit)",
        31 => "SIGSYS (forbidden system call)",
        _ => $"signal {signal}",
    };
}
