using System.Runtime.InteropServices;

namespace Autograder.Worker;

/// <summary>
/// The per-call CPU budgets from inside, as the C host has them (host.c, call_timers): ITIMER_VIRTUAL counts
/// this process's user-mode CPU time and ITIMER_PROF all of it; when one runs out its signal (SIGVTALRM,
/// SIGPROF: the runtime leaves both at their default, and the worker is never its PID namespace's init, see
/// aglaunch.c) ends the worker, and the grader reads that death during a driver call as the call's timeout
/// (CheckBudget). Armed around the driver's code only. The grader's watchdog enforces the total from outside
/// (a 20 ms sampling of /proc), so a driver that somehow disarms these is still stopped, later.
/// </summary>
internal static class CallTimer
{
    private const int ItimerVirtual = 1;
    private const int ItimerProf = 2;

    /// <summary>Arms the timers for <paramref name="userMs"/> and <paramref name="totalMs"/> of CPU time;
    /// 0 disarms them (and a user budget of 0 leaves them unarmed).</summary>
    public static void Arm(uint userMs, uint totalMs)
    {
        Set(ItimerVirtual, userMs);
        Set(ItimerProf, userMs == 0 ? 0 : totalMs);
    }

    private static void Set(int which, uint ms)
    {
        var value = new Itimerval { ValueSec = ms / 1000, ValueUsec = ms % 1000 * 1000 };
        _ = setitimer(which, in value, IntPtr.Zero);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Itimerval
    {
        public long IntervalSec;
        public long IntervalUsec;
        public long ValueSec;
        public long ValueUsec;
    }

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int setitimer(int which, in Itimerval value, IntPtr old);

}
