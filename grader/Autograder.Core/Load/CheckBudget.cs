using System.Diagnostics;

namespace Autograder.Load;

/// <summary>
/// The time one check may spend in driver code: CPU time summed over the host processes it used (so a
/// loaded machine does not fail a slow correct driver) and a wall-clock cap (so a driver blocked in a
/// syscall cannot hang us). A watchdog kills a host that overruns; the caller sees the command die and
/// reads <see cref="HostProcess.KillReason"/>. Besides, each driver call (init, one ioctl, exit) has its
/// own small budget: the device answers in microseconds, so a call past it is spinning and is stopped with
/// a message naming the call, instead of waiting out the check's budget. It is two budgets: <see cref="CallCpu"/>
/// of the driver's own CPU time (user mode: a loop in the driver; a C# call gets <see cref="RuntimeAllowance"/>
/// more), and <see cref="TotalFactor"/> times that of all CPU time (with the system calls of its kernel calls: a loop polling a register, or a driver that makes
/// thousands of kernel calls in one call, which a correct one may do in a debug dump). The hosts enforce
/// both themselves with CPU timers armed around the driver's code (ITIMER_VIRTUAL, ITIMER_PROF: the signal
/// ends the host at the budget itself); the watchdog, sampling /proc every tick, backs up the total one.
/// Thread-safe.
/// </summary>
internal sealed class CheckBudget
{
    private static readonly List<CheckBudget> Active = [];
    // Its own thread, not a pool timer: a busy or starved thread pool must not let a driver run past its
    // budget (and into its RLIMIT_CPU, which would tell the student a different story).
    private static readonly AutoResetEvent Wake = new(false);
    private static readonly Thread Watchdog = StartWatchdog();
    private const int TickMs = 20;

    /// <summary>The end of the kill reason of a check that ran past its wall-clock cap: the only timeout that
    /// depends on the machine's load (CPU budgets do not), so the only one a result cache must not keep.</summary>
    public const string WallClockMarker = "ms wall-clock";

    private readonly Dictionary<HostProcess, TimeSpan> _cpuMarks = [];
    // A host's CPU mark not yet taken (see Watch).
    private static readonly TimeSpan Unmarked = TimeSpan.MinValue;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private HostProcess? _running;
    // The running call: its name, when it started (Stopwatch ticks), its number; and the CPU mark the
    // watchdog took for it on the first tick it saw it running (no /proc read per call: most end in µs).
    private string? _call;
    private long _callStart;
    private int _callSeq;
    private int _markedSeq = -1;
    private TimeSpan _callMark;

    public CheckBudget(TimeSpan cpu, TimeSpan wall, TimeSpan? callCpu = null, CallLessons? lessons = null, string checkId = "")
    {
        Cpu = cpu;
        Wall = wall;
        CallCpu = callCpu ?? TimeSpan.FromMilliseconds(15);
        Lessons = lessons ?? new CallLessons();
        CheckId = checkId;
    }

    public TimeSpan Cpu { get; }
    public TimeSpan Wall { get; }

    /// <summary>User-mode CPU time one driver call may use (the rubric's call-cpu-ms).</summary>
    public TimeSpan CallCpu { get; }

    /// <summary>How many times its user-mode budget one call may use in all, kernel calls included.</summary>
    public const int TotalFactor = 4;

    /// <summary>User-mode CPU time a C# call gets besides <see cref="CallCpu"/>, for the runtime's own work in it
    /// (tier-0 JIT of the driver's methods, a garbage collection, an exception's or a stack overflow's report):
    /// without it a C# stack overflow or allocation bomb would be told as a timeout instead of its cause.</summary>
    public static readonly TimeSpan RuntimeAllowance = TimeSpan.FromMilliseconds(15);

    /// <summary>User-mode CPU time one call in a host of this kind may use.</summary>
    public TimeSpan CallCpuFor(HostKind kind) => kind == HostKind.CSharp ? CallCpu + RuntimeAllowance : CallCpu;

    /// <summary>All the CPU time (user and system) one call in a host of this kind may use.</summary>
    public TimeSpan CallCpuTotalFor(HostKind kind) => CallCpuFor(kind) * TotalFactor;

    /// <summary>Both budgets as the hosts' own call timers take them (whole ms, at least 1).</summary>
    public (uint User, uint Total) CallTimersMs(HostKind kind) => (Ms(CallCpuFor(kind)), Ms(CallCpuTotalFor(kind)));

    private static uint Ms(TimeSpan t) => (uint)Math.Clamp(Math.Ceiling(t.TotalMilliseconds), 1, uint.MaxValue);

    /// <summary>What earlier checks of the submission learned about calls that did not return.</summary>
    public CallLessons Lessons { get; }

    /// <summary>The check this budget belongs to (named in lessons).</summary>
    public string CheckId { get; }

    /// <summary>Names of ioctl commands in messages ("RAND", "SEED"); others are shown as "ioctl 0x...".</summary>
    public IReadOnlyDictionary<uint, string> CommandNames { get; init; } = new Dictionary<uint, string>();

    /// <summary>How a call is named in messages: init, exit, RAND, SEED or ioctl 0x....</summary>
    public string CallName(uint? cmd, string op) =>
        cmd is { } c ? CommandNames.TryGetValue(c, out var name) ? name : $"ioctl 0x{c:x8}" : op;

    /// <summary>The kill reason of a call past its user-mode budget, or with <paramref name="total"/> past its
    /// total one.</summary>
    public string CallTimeout(string call, HostKind kind, bool total = false) => total
        ? $"{call} did not return within {CallCpuTotalFor(kind).TotalMilliseconds:0} ms of CPU time, system time included"
        : $"{call} did not return within {CallCpuFor(kind).TotalMilliseconds:0} ms of CPU time";

    /// <summary>Whether a host was killed for running past a time limit (the check's or a call's).</summary>
    public static bool IsTimeout(string? killReason) =>
        killReason is not null && (killReason.StartsWith("timed out", StringComparison.Ordinal) || killReason.Contains(" did not return within ", StringComparison.Ordinal));

    /// <summary>CPU time the check's hosts have used so far.</summary>
    public TimeSpan CpuUsed()
    {
        lock (_cpuMarks)
        {
            var used = TimeSpan.Zero;
            foreach (var (host, mark) in _cpuMarks)
            {
                if (mark == Unmarked)
                {
                    continue;
                }

                var now = host.CpuTime();
                if (now > mark)
                {
                    used += now - mark;
                }
            }

            return used;
        }
    }

    /// <summary>Watches <paramref name="host"/> while one command runs; <paramref name="call"/> names a driver
    /// call, which also gets <see cref="CallCpu"/> (null for commands that run only our code).</summary>
    public IDisposable Watch(HostProcess host, string? call = null)
    {
        lock (_cpuMarks)
        {
            _call = call;
            _callStart = Stopwatch.GetTimestamp();
            _callSeq++;
            if (!_cpuMarks.ContainsKey(host))
            {
                // A fork child has used only its Ready since its CPU time started at zero: no /proc read. A worker
                // is marked by the first watchdog tick that sees it run (most checks end before one: a /proc walk
                // for each was ~7 % of a busy grader's CPU); what it used before that tick is not counted.
                _cpuMarks[host] = host.IsForkChild ? TimeSpan.Zero : Unmarked;
            }

            _running = host;
        }

        lock (Active)
        {
            Active.Add(this);
            if (Active.Count == 1)
            {
                Wake.Set();
            }
        }

        return new Watching(this);
    }

    private void Stop()
    {
        lock (Active)
        {
            Active.Remove(this);
        }

        lock (_cpuMarks)
        {
            _running = null;
        }
    }

    private void Enforce()
    {
        HostProcess? host;
        string? call;
        long callStart;
        int seq;
        lock (_cpuMarks)
        {
            host = _running;
            (call, callStart, seq) = (_call, _callStart, _callSeq);
        }

        if (host is null)
        {
            return;
        }

        lock (_cpuMarks)
        {
            if (_cpuMarks.TryGetValue(host, out var mark) && mark == Unmarked)
            {
                _cpuMarks[host] = host.CpuTime();
            }
        }

        var elapsed = _wall.Elapsed;
        if (elapsed > Wall)
        {
            host.Kill($"timed out after {Wall.TotalMilliseconds:0} {WallClockMarker}");
        }
        else if (call is not null && EnforceCall(host, call, callStart, seq))
        {
            // Killed for this call alone.
        }
        // No process can have used more CPU than the wall time on every core: until then /proc need not be read
        // (most checks are over in milliseconds, and these reads were a busy grader's steady cost).
        else if (elapsed * Environment.ProcessorCount > Cpu && CpuUsed() > Cpu)
        {
            host.Kill($"timed out after {Cpu.TotalMilliseconds:0} ms of CPU time");
        }
    }

    // The first tick that sees a call running marks its host's CPU (the call began at most one tick before:
    // what it used before the mark is not counted, so a call is stopped after its total budget and at most a tick
    // more, never before). Later ticks compare; the /proc reads happen only while a call is slow.
    private bool EnforceCall(HostProcess host, string call, long callStart, int seq)
    {
        if (seq != _markedSeq)
        {
            _markedSeq = seq;
            _callMark = host.CpuTime();
            return false;
        }

        // The total budget: the host's own timers end a call at either budget, this is their backup.
        var callElapsed = Stopwatch.GetElapsedTime(callStart);
        var budget = CallCpuTotalFor(host.Kind);
        if (callElapsed * Environment.ProcessorCount <= budget || host.CpuTime() - _callMark <= budget)
        {
            return false;
        }

        lock (_cpuMarks)
        {
            if (_callSeq != seq || _running is null)
            {
                return false;
            }
        }

        host.Kill(CallTimeout(call, host.Kind, total: true));
        return true;
    }

    private static Thread StartWatchdog()
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                bool idle;
                lock (Active)
                {
                    idle = Active.Count == 0;
                }

                if (idle)
                {
                    Wake.WaitOne();
                }
                else
                {
                    Thread.Sleep(TickMs);
                    Tick();
                }
            }
        })
        { IsBackground = true, Name = "check watchdog" };
        thread.Start();
        return thread;
    }

    private static void Tick()
    {
        CheckBudget[] active;
        lock (Active)
        {
            active = [.. Active];
        }

        foreach (var budget in active)
        {
            budget.Enforce();
        }
    }

    private sealed class Watching(CheckBudget budget) : IDisposable
    {
        public void Dispose() => budget.Stop();
    }
}
