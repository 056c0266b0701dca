namespace Autograder.KernelApi;

public static partial class Kernel
{
    /// <summary>Marks the module's init function: <c>[module_init] static int my_init()</c>, run when the driver loads.</summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class module_init : Attribute
    {
    }

    /// <summary>Marks the module's exit function: <c>[module_exit] static void my_exit()</c>, run when it unloads.</summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class module_exit : Attribute
    {
    }

    /// <summary>The module's license (informational; a built-in driver does not need it).</summary>
    /// <param name="license">e.g. "GPL".</param>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly | AttributeTargets.Module, AllowMultiple = false)]
    public sealed class MODULE_LICENSE(string license) : Attribute
    {
        /// <summary>The license.</summary>
        public string License { get; } = license;
    }

    /// <summary>The module's author (informational).</summary>
    /// <param name="author">The author.</param>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly | AttributeTargets.Module, AllowMultiple = true)]
    public sealed class MODULE_AUTHOR(string author) : Attribute
    {
        /// <summary>The author.</summary>
        public string Author { get; } = author;
    }

    /// <summary>The module's description (informational).</summary>
    /// <param name="description">The description.</param>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly | AttributeTargets.Module, AllowMultiple = false)]
    public sealed class MODULE_DESCRIPTION(string description) : Attribute
    {
        /// <summary>The description.</summary>
        public string Description { get; } = description;
    }

    /// <summary>A sleeping lock (C's <c>struct mutex</c>). Drivers run one call at a time here, so taking a mutex
    /// this task already holds is the kernel's deadlock: an oops, as in the C model.</summary>
    public sealed class mutex
    {
        internal bool Locked { get; set; }
    }

    /// <summary>A spinning lock (C's <c>spinlock_t</c>). Drivers run one call at a time here, so taking a spinlock
    /// this CPU already holds is the kernel's deadlock: an oops, as in the C model.</summary>
    public sealed class spinlock_t
    {
        internal bool Locked { get; set; }
    }

    /// <summary>Initialises a mutex.</summary>
    /// <param name="lock">The mutex.</param>
    public static void mutex_init(mutex @lock) => Require(@lock).Locked = false;

    /// <summary>Takes a mutex.</summary>
    /// <param name="lock">The mutex.</param>
    public static void mutex_lock(mutex @lock) => Take(Require(@lock));

    /// <summary>Takes a mutex unless a signal arrives (none does here).</summary>
    /// <param name="lock">The mutex.</param>
    /// <returns>0 once the mutex is held.</returns>
    public static int mutex_lock_interruptible(mutex @lock)
    {
        Take(Require(@lock));
        return 0;
    }

    /// <summary>Takes a mutex unless the task is killed (it is not, here).</summary>
    /// <param name="lock">The mutex.</param>
    /// <returns>0 once the mutex is held.</returns>
    public static int mutex_lock_killable(mutex @lock)
    {
        Take(Require(@lock));
        return 0;
    }

    /// <summary>Takes a mutex if it is free.</summary>
    /// <param name="lock">The mutex.</param>
    /// <returns>1 when taken, 0 when it was already held.</returns>
    public static int mutex_trylock(mutex @lock)
    {
        if (Require(@lock).Locked)
        {
            return 0;
        }

        @lock.Locked = true;
        return 1;
    }

    /// <summary>Releases a mutex.</summary>
    /// <param name="lock">The mutex.</param>
    public static void mutex_unlock(mutex @lock) => Require(@lock).Locked = false;

    /// <summary>Whether a mutex is held.</summary>
    /// <param name="lock">The mutex.</param>
    /// <returns>true when held.</returns>
    public static bool mutex_is_locked(mutex @lock) => Require(@lock).Locked;

    /// <summary>Initialises a spinlock.</summary>
    /// <param name="lock">The spinlock.</param>
    public static void spin_lock_init(spinlock_t @lock) => Require(@lock).Locked = false;

    /// <summary>Takes a spinlock.</summary>
    /// <param name="lock">The spinlock.</param>
    public static void spin_lock(spinlock_t @lock) => Take(Require(@lock));

    /// <summary>Releases a spinlock.</summary>
    /// <param name="lock">The spinlock.</param>
    public static void spin_unlock(spinlock_t @lock) => Require(@lock).Locked = false;

    /// <summary>Takes a spinlock with interrupts disabled, saving the interrupt state in <paramref name="flags"/>.</summary>
    /// <param name="lock">The spinlock.</param>
    /// <param name="flags">Receives the saved interrupt state.</param>
    public static void spin_lock_irqsave(spinlock_t @lock, out ulong flags)
    {
        flags = 0;
        Take(Require(@lock));
    }

    /// <summary>Releases a spinlock taken with <see cref="spin_lock_irqsave"/>.</summary>
    /// <param name="lock">The spinlock.</param>
    /// <param name="flags">The saved interrupt state.</param>
    public static void spin_unlock_irqrestore(spinlock_t @lock, ulong flags) => Require(@lock).Locked = false;

    /// <summary>Takes a spinlock with bottom halves disabled.</summary>
    /// <param name="lock">The spinlock.</param>
    public static void spin_lock_bh(spinlock_t @lock) => Take(Require(@lock));

    /// <summary>Releases a spinlock taken with <see cref="spin_lock_bh"/>.</summary>
    /// <param name="lock">The spinlock.</param>
    public static void spin_unlock_bh(spinlock_t @lock) => Require(@lock).Locked = false;

    /// <summary>A random 32-bit number from the kernel's generator (not the device's).</summary>
    /// <returns>A random value.</returns>
    public static uint get_random_u32() => (uint)Random.Shared.NextInt64(0, 1L << 32);

    /// <summary>A hint in a busy-wait loop; does nothing here.</summary>
    public static void cpu_relax()
    {
    }

    /// <summary>Sleeps at least <paramref name="msecs"/> milliseconds; returns at once here.</summary>
    /// <param name="msecs">Milliseconds.</param>
    public static void msleep(uint msecs)
    {
    }

    /// <summary>Busy-waits <paramref name="usecs"/> microseconds; returns at once here.</summary>
    /// <param name="usecs">Microseconds.</param>
    public static void udelay(ulong usecs)
    {
    }

    /// <summary>Busy-waits <paramref name="msecs"/> milliseconds; returns at once here.</summary>
    /// <param name="msecs">Milliseconds.</param>
    public static void mdelay(ulong msecs)
    {
    }

    /// <summary>Sleeps between <paramref name="min"/> and <paramref name="max"/> microseconds; returns at once here.</summary>
    /// <param name="min">Minimum microseconds.</param>
    /// <param name="max">Maximum microseconds.</param>
    public static void usleep_range(ulong min, ulong max)
    {
    }

    // The same words as the C model (model.c), so a defect reads the same in both languages.
    private static void Take(mutex @lock)
    {
        if (@lock.Locked)
        {
            throw Backend.Oops(OopsCode.Bug, 0, "mutex_lock() on a mutex this task already holds: the kernel would deadlock here");
        }

        @lock.Locked = true;
    }

    private static void Take(spinlock_t @lock)
    {
        if (@lock.Locked)
        {
            throw Backend.Oops(OopsCode.Bug, 0, "spin_lock() on a spinlock this CPU already holds: the kernel would deadlock here");
        }

        @lock.Locked = true;
    }

    private static T Require<T>(T? value) where T : class =>
        value ?? throw new NullReferenceException("a NULL lock was passed to the kernel");
}
