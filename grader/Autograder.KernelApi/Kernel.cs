using System.Runtime.CompilerServices;

namespace Autograder.KernelApi;

/// <summary>
/// The Linux kernel API a virt-101 driver uses, with the kernel's names so a C driver ports line by
/// line. Write <c>using static Autograder.KernelApi.Kernel;</c>: that brings the functions, the
/// constants and the kernel types (<see cref="file_operations"/>, <see cref="IoMem"/>, ...) into scope.
/// Every call is carried out by the grader's simulated kernel.
/// </summary>
public static partial class Kernel
{
    // The only mutable static state of this assembly. Driver instances share this assembly (it is
    // loaded once, in the worker's default context), so nothing per-driver may live in statics here.
    private static IKernelBackend _backend = NoBackend.Instance;

    /// <summary>Where kernel calls go; set by the worker (or a test) before any driver code runs.</summary>
    internal static IKernelBackend Backend
    {
        get => _backend;
        set => _backend = value ?? NoBackend.Instance;
    }

    // ---- errno ------------------------------------------------------------------------------

    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>No such process.</summary>
    public const int ESRCH = 3;
    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;
    /// <summary>I/O error.</summary>
    public const int EIO = 5;
    /// <summary>No such device or address.</summary>
    public const int ENXIO = 6;
    /// <summary>Argument list too long.</summary>
    public const int E2BIG = 7;
    /// <summary>Bad file number.</summary>
    public const int EBADF = 9;
    /// <summary>Try again.</summary>
    public const int EAGAIN = 11;
    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;
    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;
    /// <summary>Bad address (a failed copy to or from user space).</summary>
    public const int EFAULT = 14;
    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;
    /// <summary>File exists.</summary>
    public const int EEXIST = 17;
    /// <summary>No such device.</summary>
    public const int ENODEV = 19;
    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;
    /// <summary>Inappropriate ioctl for device (the answer to an unknown ioctl command).</summary>
    public const int ENOTTY = 25;
    /// <summary>No space left on device.</summary>
    public const int ENOSPC = 28;
    /// <summary>Math result not representable.</summary>
    public const int ERANGE = 34;
    /// <summary>Function not implemented.</summary>
    public const int ENOSYS = 38;
    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;
    /// <summary>Connection timed out.</summary>
    public const int ETIMEDOUT = 110;
    /// <summary>Restart the system call (returned when a wait is interrupted).</summary>
    public const int ERESTARTSYS = 512;

    // ---- printk levels ----------------------------------------------------------------------

    /// <summary>System is unusable.</summary>
    public const string KERN_EMERG = "\u00010";
    /// <summary>Action must be taken immediately.</summary>
    public const string KERN_ALERT = "\u00011";
    /// <summary>Critical conditions.</summary>
    public const string KERN_CRIT = "\u00012";
    /// <summary>Error conditions.</summary>
    public const string KERN_ERR = "\u00013";
    /// <summary>Warning conditions.</summary>
    public const string KERN_WARNING = "\u00014";
    /// <summary>Normal but significant condition.</summary>
    public const string KERN_NOTICE = "\u00015";
    /// <summary>Informational.</summary>
    public const string KERN_INFO = "\u00016";
    /// <summary>Debug-level messages.</summary>
    public const string KERN_DEBUG = "\u00017";
    /// <summary>The default log level.</summary>
    public const string KERN_DEFAULT = "\u0001d";
    /// <summary>Continues the previous line ("continued" line).</summary>
    public const string KERN_CONT = "\u0001c";

    // ---- ioctl numbers ----------------------------------------------------------------------

    /// <summary>No data transfer.</summary>
    public const uint _IOC_NONE = 0;
    /// <summary>User space writes data to the driver.</summary>
    public const uint _IOC_WRITE = 1;
    /// <summary>User space reads data from the driver.</summary>
    public const uint _IOC_READ = 2;

    /// <summary>Bits of the command number field.</summary>
    public const int _IOC_NRBITS = 8;
    /// <summary>Bits of the type (magic) field.</summary>
    public const int _IOC_TYPEBITS = 8;
    /// <summary>Bits of the size field.</summary>
    public const int _IOC_SIZEBITS = 14;
    /// <summary>Bits of the direction field.</summary>
    public const int _IOC_DIRBITS = 2;
    /// <summary>Shift of the command number field.</summary>
    public const int _IOC_NRSHIFT = 0;
    /// <summary>Shift of the type field.</summary>
    public const int _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
    /// <summary>Shift of the size field.</summary>
    public const int _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
    /// <summary>Shift of the direction field.</summary>
    public const int _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;

    /// <summary>Encodes an ioctl command: nr 8 bits at 0, type 8 at 8, size 14 at 16, dir 2 at 30.</summary>
    /// <param name="dir">Direction: <see cref="_IOC_NONE"/>, <see cref="_IOC_READ"/>, <see cref="_IOC_WRITE"/> or both.</param>
    /// <param name="type">The driver's magic character, e.g. 'q'.</param>
    /// <param name="nr">The command number.</param>
    /// <param name="size">Size in bytes of the argument's type.</param>
    public static uint _IOC(uint dir, uint type, uint nr, uint size) =>
        ((dir & 0x3u) << _IOC_DIRSHIFT)
        | ((type & 0xffu) << _IOC_TYPESHIFT)
        | ((nr & 0xffu) << _IOC_NRSHIFT)
        | ((size & 0x3fffu) << _IOC_SIZESHIFT);

    /// <summary>An ioctl command without data: <c>_IO('q', 1)</c>.</summary>
    /// <param name="type">The driver's magic character.</param>
    /// <param name="nr">The command number.</param>
    public static uint _IO(char type, uint nr) => _IOC(_IOC_NONE, type, nr, 0);

    /// <summary>A command by which user space reads a <typeparamref name="T"/>: <c>_IOR('q', 1, unsigned int)</c> is <c>_IOR&lt;uint&gt;('q', 1)</c> = 0x80047101.</summary>
    /// <typeparam name="T">The argument's type; its size is encoded.</typeparam>
    /// <param name="type">The driver's magic character.</param>
    /// <param name="nr">The command number.</param>
    public static uint _IOR<T>(char type, uint nr) where T : unmanaged => _IOC(_IOC_READ, type, nr, (uint)Unsafe.SizeOf<T>());

    /// <summary>A command by which user space writes a <typeparamref name="T"/>: <c>_IOW('q', 1, unsigned int)</c> is <c>_IOW&lt;uint&gt;('q', 1)</c> = 0x40047101.</summary>
    /// <typeparam name="T">The argument's type; its size is encoded.</typeparam>
    /// <param name="type">The driver's magic character.</param>
    /// <param name="nr">The command number.</param>
    public static uint _IOW<T>(char type, uint nr) where T : unmanaged => _IOC(_IOC_WRITE, type, nr, (uint)Unsafe.SizeOf<T>());

    /// <summary>A command that both writes and reads a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The argument's type; its size is encoded.</typeparam>
    /// <param name="type">The driver's magic character.</param>
    /// <param name="nr">The command number.</param>
    public static uint _IOWR<T>(char type, uint nr) where T : unmanaged => _IOC(_IOC_READ | _IOC_WRITE, type, nr, (uint)Unsafe.SizeOf<T>());

    /// <summary>A read command with an explicit argument size in bytes (what C's <c>sizeof(type)</c> gives).</summary>
    /// <param name="type">The driver's magic character.</param>
    /// <param name="nr">The command number.</param>
    /// <param name="size">The argument's size in bytes.</param>
    public static uint _IOR(char type, uint nr, uint size) => _IOC(_IOC_READ, type, nr, size);

    /// <summary>A write command with an explicit argument size in bytes.</summary>
    /// <param name="type">The driver's magic character.</param>
    /// <param name="nr">The command number.</param>
    /// <param name="size">The argument's size in bytes.</param>
    public static uint _IOW(char type, uint nr, uint size) => _IOC(_IOC_WRITE, type, nr, size);

    /// <summary>A read-write command with an explicit argument size in bytes.</summary>
    /// <param name="type">The driver's magic character.</param>
    /// <param name="nr">The command number.</param>
    /// <param name="size">The argument's size in bytes.</param>
    public static uint _IOWR(char type, uint nr, uint size) => _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);

    /// <summary>The direction field of a command.</summary>
    /// <param name="cmd">An ioctl command.</param>
    public static uint _IOC_DIR(uint cmd) => (cmd >> _IOC_DIRSHIFT) & 0x3u;

    /// <summary>The type (magic) field of a command.</summary>
    /// <param name="cmd">An ioctl command.</param>
    public static uint _IOC_TYPE(uint cmd) => (cmd >> _IOC_TYPESHIFT) & 0xffu;

    /// <summary>The number field of a command.</summary>
    /// <param name="cmd">An ioctl command.</param>
    public static uint _IOC_NR(uint cmd) => (cmd >> _IOC_NRSHIFT) & 0xffu;

    /// <summary>The size field of a command.</summary>
    /// <param name="cmd">An ioctl command.</param>
    public static uint _IOC_SIZE(uint cmd) => (cmd >> _IOC_SIZESHIFT) & 0x3fffu;
}
