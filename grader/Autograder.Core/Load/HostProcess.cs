using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using Autograder.Protocol;

namespace Autograder.Load;

/// <summary>How to start a host: the program and its arguments (the channel fds are appended).</summary>
internal sealed record HostCommand(HostKind Kind, string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>Which host: the C# worker runs only our code besides the driver; the C host shares its process with it.</summary>
internal enum HostKind { CSharp, C }

/// <summary>
/// One host process (the C# worker or a linked C driver) and its framed channel. The channel is two
/// inherited anonymous pipes; stdout/stderr are the submission's output, drained and capped so a flood
/// cannot block or exhaust us. Not thread-safe except <see cref="Kill"/> and <see cref="CpuTime"/>.
/// </summary>
internal sealed class HostProcess : IDisposable
{
    // Spawning is serialised: while one child's inheritable pipe ends exist, no other child may be
    // started, or it would inherit them and keep our EOF detection from ever firing.
    private static readonly Lock SpawnLock = new();
    private const int OutputCap = 64 * 1024;

    private readonly Process _process;
    private readonly AnonymousPipeServerStream _toHost;
    private readonly AnonymousPipeServerStream _fromHost;
    private readonly StringBuilder _output = new();
    private readonly Task _stdout;
    private readonly Task _stderr;
    private long _outputBytes;
    private volatile bool _killed;

    private HostProcess(HostKind kind, Process process, AnonymousPipeServerStream toHost, AnonymousPipeServerStream fromHost)
    {
        Kind = kind;
        Pid = process.Id;
        _process = process;
        _toHost = toHost;
        _fromHost = fromHost;
        _stdout = DrainAsync(process.StandardOutput);
        _stderr = DrainAsync(process.StandardError);
    }

    public HostKind Kind { get; }
    public Stream ToHost => _toHost;
    public Stream FromHost => _fromHost;
    public int Pid { get; }
    public FrameWriter Writer { get; } = new();
    public FrameReader Reader { get; } = new();
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
                return new HostProcess(command.Kind, process, toHost, fromHost);
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

    /// <summary>User + system CPU time of the process (from /proc), zero once it is gone.</summary>
    public TimeSpan CpuTime()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(rest[11], System.Globalization.CultureInfo.InvariantCulture)
                      + long.Parse(rest[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return TimeSpan.Zero;
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Kills the whole process tree; safe from any thread, idempotent.</summary>
    public void Kill(string reason)
    {
        if (_killed)
        {
            return;
        }

        KillReason ??= reason;
        _killed = true;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Waits briefly for the process to end and describes how it ended.</summary>
    public string DescribeExit()
    {
        if (!_process.WaitForExit(2000))
        {
            Kill("did not exit after its channel closed");
            _process.WaitForExit(2000);
        }

        if (KillReason is not null)
        {
            return KillReason;
        }

        var code = _process.ExitCode;
        // .NET reports a death by signal N as 128 + N.
        return code switch
        {
            0 => "exited",
            86 => "oopsed",
            134 when Output.Contains("Stack overflow", StringComparison.Ordinal) => "stack overflow",
            134 when Output.Contains("OutOfMemory", StringComparison.Ordinal) => "out of memory",
            > 128 and < 160 => $"killed by {SignalName(code - 128)}",
            _ => $"exited with code {code}",
        };
    }

    /// <summary>The captured stdout and stderr (capped).</summary>
    public string Output
    {
        get
        {
            Task.WaitAll([_stdout, _stderr], 1000);
            return OutputSince(0);
        }
    }

    /// <summary>What the process printed so far, from <paramref name="mark"/> (an earlier <see cref="OutputLength"/>)
    /// on, without waiting: a pooled worker serves several submissions, each shown only its own output.</summary>
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

    /// <summary>Submissions this worker has served (pooled workers are reused a bounded number of times).</summary>
    public int Uses { get; set; }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill("disposed");
        }

        _toHost.Dispose();
        _fromHost.Dispose();
        _process.Dispose();
    }

    private async Task DrainAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
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
        25 => "SIGXFSZ (file size limit)",
        31 => "SIGSYS (forbidden system call)",
        _ => $"signal {signal}",
    };
}
