using System.Globalization;
using System.Runtime.InteropServices;

namespace Autograder.Load;

/// <summary>
/// Runs a submission's checks on one CPU: the grading thread and the host processes it talks to. A check is
/// hundreds of frame round trips, each waking the other side; a wakeup across CPUs sends an interrupt, which
/// in a VM is an exit to the hypervisor. On one CPU the wakeup is a plain switch: an ioctl's round trips cost
/// 16 µs instead of 39 (2-core Firecracker VM), and a benchmark class grades ~10 % faster.
///
/// Each scope takes the least-used CPU the process may run on, so concurrent jobs spread out. Best effort: where
/// affinity cannot be set (not Linux, one CPU, more than 64, a refusing container) it does nothing. Budgets are
/// unaffected (CPU time per host; the wall cap is far above what two jobs sharing a CPU need). Thread-safe.
/// </summary>
internal static class CpuPairing
{
    private const int MaxCpus = 64;

    // Per CPU: how many scopes hold it.
    private static readonly int[] Holders = new int[MaxCpus];
    private static readonly ulong Allowed = ProcessMask();

    // The CPU of this thread's open scope, plus one (0: none).
    [ThreadStatic]
    private static int _held;

    /// <summary>Whether pairing can work here (Linux, 2 to 64 CPUs allowed, the affinity mask readable).</summary>
    public static bool Enabled { get; } = ulong.PopCount(Allowed) >= 2;

    /// <summary>Pins the calling thread to the least-used allowed CPU until disposed (on the same thread).
    /// Processes it starts meanwhile inherit the CPU; pooled ones join through <see cref="Join"/>.</summary>
    public static IDisposable Pair()
    {
        if (!Enabled || _held != 0)
        {
            return Scope.None;
        }

        var here = Thread.GetCurrentProcessorId();
        int cpu;
        lock (Holders)
        {
            cpu = -1;
            for (var i = 0; i < MaxCpus; i++)
            {
                // Ties go to the CPU the thread is on: no migration.
                if ((Allowed & (1UL << i)) != 0 && (cpu < 0 || Holders[i] < Holders[cpu] || (Holders[i] == Holders[cpu] && i == here)))
                {
                    cpu = i;
                }
            }

            Holders[cpu]++;
        }

        SetMask(0, 1UL << cpu);
        _held = cpu + 1;
        return new Scope(cpu);
    }

    /// <summary>Moves every thread of <paramref name="pid"/> and its descendants to the calling thread's paired
    /// CPU, if it has one: for a pooled process started before the scope (a worker behind its launcher).</summary>
    public static void Join(int pid)
    {
        if (_held != 0)
        {
            JoinTree(pid, 1UL << (_held - 1), depth: 0);
        }
    }

    private static void JoinTree(int pid, ulong mask, int depth)
    {
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
                {
                    SetMask(tid, mask);
                }

                // Launcher, worker: a short chain.
                if (depth < 3)
                {
                    foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        JoinTree(int.Parse(child, NumberStyles.None, CultureInfo.InvariantCulture), mask, depth + 1);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is gone, or /proc hides it: it keeps its CPUs.
        }
    }

    private static ulong ProcessMask()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount > MaxCpus)
        {
            return 0;
        }

        try
        {
            ulong mask = 0;
            return sched_getaffinity(0, sizeof(ulong), ref mask) == 0 ? mask : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0;
        }
    }

    // A failure (EPERM in a locked-down container, ESRCH for a thread that just ended) leaves the old mask.
    private static void SetMask(int tid, ulong mask) => _ = sched_setaffinity(tid, sizeof(ulong), ref mask);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, nint size, ref ulong mask);

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int sched_getaffinity(int pid, nint size, ref ulong mask);

    private sealed class Scope(int cpu) : IDisposable
    {
        public static readonly Scope None = new(-1);

        private int _cpu = cpu;

        public void Dispose()
        {
            var cpu = Interlocked.Exchange(ref _cpu, -1);
            if (cpu < 0)
            {
                return;
            }

            SetMask(0, Allowed);
            _held = 0;
            lock (Holders)
            {
                Holders[cpu]--;
            }
        }
    }
}
