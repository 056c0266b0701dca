using System.Diagnostics;

namespace Autograder.Load;

/// <summary>
/// The time one check may spend in driver code: CPU time summed over the host processes it used (so a
/// loaded machine does not fail a slow correct driver) and a wall-clock cap (so a driver blocked in a
/// syscall cannot hang us). A watchdog kills a host that overruns; the caller sees the command die and
/// reads <see cref="HostProcess.KillReason"/>. Besides, each driver call (init, one ioctl, exit) has its
/// own small CPU budget (<see cref="CallCpu"/>): the device answers in microseconds, so a call past it is
/// spinning and is stopped with a message naming the call, instead of waiting out the check's budget.
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
        CallCpu = callCpu ?? TimeSpan.FromMilliseconds(100);
        Lessons = lessons ?? new CallLessons();
        CheckId = checkId;
    }

    public TimeSpan Cpu { get; }
    public TimeSpan Wall { get; }

    /// <summary>CPU time one driver call may use.</summary>
    public TimeSpan CallCpu { get; }

    /// <summary>What earlier checks of the submission learned about calls that did not return.</summary>
    public CallLessons Lessons { get; }

    /// <summary>The check this budget belongs to (named in lessons).</summary>
    public string CheckId { get; }

    /// <summary>Names of ioctl commands in messages ("RAND", "SEED"); others are shown as "ioctl 0x...".</summary>
    public IReadOnlyDictionary<uint, string> CommandNames { get; init; } = new Dictionary<uint, string>();

    /// <summary>How a call is named in messages: init, exit, RAND, SEED or ioctl 0x....</summary>
    public string CallName(uint? cmd, string op) =>
        cmd is { } c ? CommandNames.TryGetValue(c, out var name) ? name : $"ioctl 0x{c:x8}" : op;

    /// <summary>The kill reason of a call past <see cref="CallCpu"/>.</summary>
    public string CallTimeout(string call) => $"{call} did not return within {CallCpu.TotalMilliseconds:0} ms of CPU time";

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
                // A fork child has used only its Ready since its CPU time started at zero: no /proc read.
                _cpuMarks[host] = host.IsForkChild ? TimeSpan.Zero : host.CpuTime();
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
    // what it used before the mark is not counted, so a call is stopped after CallCpu and at most a tick
    // more, never before). Later ticks compare; the /proc reads happen only while a call is slow.
    private bool EnforceCall(HostProcess host, string call, long callStart, int seq)
    {
        if (seq != _markedSeq)
        {
            _markedSeq = seq;
            _callMark = host.CpuTime();
            return false;
        }

        var callElapsed = Stopwatch.GetElapsedTime(callStart);
        if (callElapsed * Environment.ProcessorCount <= CallCpu || host.CpuTime() - _callMark <= CallCpu)
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

        host.Kill(CallTimeout(call));
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
