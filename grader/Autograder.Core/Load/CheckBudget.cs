using System.Diagnostics;

namespace Autograder.Load;

/// <summary>
/// The time one check may spend in driver code: CPU time summed over the host processes it used (so a
/// loaded machine does not fail a slow correct driver) and a wall-clock cap (so a driver blocked in a
/// syscall cannot hang us). A watchdog kills a host that overruns; the caller sees the command die and
/// reads <see cref="HostProcess.KillReason"/>. Thread-safe.
/// </summary>
internal sealed class CheckBudget
{
    private static readonly List<CheckBudget> Active = [];
    // Its own thread, not a pool timer: a busy or starved thread pool must not let a driver run past its
    // budget (and into its RLIMIT_CPU, which would tell the student a different story).
    private static readonly AutoResetEvent Wake = new(false);
    private static readonly Thread Watchdog = StartWatchdog();
    private const int TickMs = 20;

    private readonly Dictionary<HostProcess, TimeSpan> _cpuMarks = [];
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private HostProcess? _running;

    public CheckBudget(TimeSpan cpu, TimeSpan wall)
    {
        Cpu = cpu;
        Wall = wall;
    }

    public TimeSpan Cpu { get; }
    public TimeSpan Wall { get; }

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

    /// <summary>Watches <paramref name="host"/> while one command runs.</summary>
    public IDisposable Watch(HostProcess host)
    {
        lock (_cpuMarks)
        {
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
        lock (_cpuMarks)
        {
            host = _running;
        }

        if (host is null)
        {
            return;
        }

        var elapsed = _wall.Elapsed;
        if (elapsed > Wall)
        {
            host.Kill($"timed out after {Wall.TotalMilliseconds:0} ms wall-clock");
        }
        // No process can have used more CPU than the wall time on every core: until then /proc need not be read
        // (most checks are over in milliseconds, and these reads were a busy grader's steady cost).
        else if (elapsed * Environment.ProcessorCount > Cpu && CpuUsed() > Cpu)
        {
            host.Kill($"timed out after {Cpu.TotalMilliseconds:0} ms of CPU time");
        }
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
