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
    private static readonly Timer Ticker = new(_ => Tick(), null, Timeout.Infinite, Timeout.Infinite);
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
                _cpuMarks[host] = host.CpuTime();
            }

            _running = host;
        }

        lock (Active)
        {
            Active.Add(this);
            if (Active.Count == 1)
            {
                Ticker.Change(TickMs, TickMs);
            }
        }

        return new Watching(this);
    }

    private void Stop()
    {
        lock (Active)
        {
            Active.Remove(this);
            if (Active.Count == 0)
            {
                Ticker.Change(Timeout.Infinite, Timeout.Infinite);
            }
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
