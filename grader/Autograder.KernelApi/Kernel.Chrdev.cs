namespace Autograder.KernelApi;

public static partial class Kernel
{
    /// <summary>An open file of the device (C's <c>struct file</c>), passed to the file operations.</summary>
    public sealed class @file
    {
        /// <summary>Driver-private data attached to the open file.</summary>
        public object? private_data { get; set; }
    }

    /// <summary>An opened inode (C's <c>struct inode</c>), passed to open and release.</summary>
    public sealed class inode
    {
    }

    /// <summary>The ioctl handler: <c>long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long)</c>.</summary>
    /// <param name="filp">The open file.</param>
    /// <param name="cmd">The ioctl command number.</param>
    /// <param name="arg">The argument: for the RNG commands, the user-space address of an unsigned int.</param>
    /// <returns>0 or a positive result on success, a negative errno on failure.</returns>
    public delegate long ioctl_fn(@file filp, uint cmd, ulong arg);

    /// <summary>The open or release handler: <c>int (*open)(struct inode *, struct file *)</c>.</summary>
    /// <param name="inode">The device's inode.</param>
    /// <param name="filp">The open file.</param>
    /// <returns>0 or a negative errno.</returns>
    public delegate int open_fn(inode inode, @file filp);

    /// <summary>The operations of a character device (C's <c>struct file_operations</c>).</summary>
    public sealed class file_operations
    {
        /// <summary>The ioctl handler.</summary>
        public ioctl_fn? unlocked_ioctl { get; init; }

        /// <summary>The 32-bit compat ioctl handler (never called by the grader).</summary>
        public ioctl_fn? compat_ioctl { get; init; }

        /// <summary>Called when the device file is opened (never called by the grader).</summary>
        public open_fn? open { get; init; }

        /// <summary>Called when the device file is closed (never called by the grader).</summary>
        public open_fn? release { get; init; }

        /// <summary>The owning module (THIS_MODULE); informational.</summary>
        public object? owner { get; init; }
    }

    /// <summary>The module itself, for <see cref="file_operations.owner"/>.</summary>
    public static readonly object? THIS_MODULE;

    /// <summary>Registers a character device under <paramref name="major"/> (0: let the kernel pick one).</summary>
    /// <param name="major">The major number, e.g. 250; 0 asks for a dynamic one.</param>
    /// <param name="name">The device name, as /proc/devices shows it.</param>
    /// <param name="fops">The device's file operations.</param>
    /// <returns>0 (or the major picked when <paramref name="major"/> was 0) on success, a negative errno on failure.</returns>
    public static int register_chrdev(uint major, string name, file_operations fops)
    {
        ArgumentNullException.ThrowIfNull(fops);
        return (int)Backend.RegisterChrdev(major, name ?? "", fops);
    }

    /// <summary>Unregisters a character device registered with <see cref="register_chrdev"/>.</summary>
    /// <param name="major">The major number it was registered under.</param>
    /// <param name="name">Its name.</param>
    public static void unregister_chrdev(uint major, string name) => Backend.UnregisterChrdev(major, name ?? "");

    /// <summary>The major number misc devices share.</summary>
    public const uint MISC_MAJOR = 10;

    /// <summary>Asks for a dynamic minor number in <see cref="miscdevice.minor"/>.</summary>
    public const int MISC_DYNAMIC_MINOR = 255;

    /// <summary>A misc device (C's <c>struct miscdevice</c>): a character device under major 10.</summary>
    public sealed class miscdevice
    {
        /// <summary>The minor number, usually <see cref="MISC_DYNAMIC_MINOR"/>.</summary>
        public int minor { get; set; } = MISC_DYNAMIC_MINOR;

        /// <summary>The device name.</summary>
        public string name { get; init; } = "";

        /// <summary>The device's file operations.</summary>
        public file_operations? fops { get; init; }
    }

    /// <summary>Registers a misc device (major <see cref="MISC_MAJOR"/>).</summary>
    /// <param name="misc">The device.</param>
    /// <returns>0 on success, a negative errno on failure.</returns>
    public static int misc_register(miscdevice misc)
    {
        ArgumentNullException.ThrowIfNull(misc);
        var ret = (int)Backend.RegisterChrdev(MISC_MAJOR, misc.name, misc.fops ?? new file_operations());
        return ret > 0 ? 0 : ret;
    }

    /// <summary>Unregisters a misc device.</summary>
    /// <param name="misc">The device.</param>
    public static void misc_deregister(miscdevice misc)
    {
        ArgumentNullException.ThrowIfNull(misc);
        Backend.UnregisterChrdev(MISC_MAJOR, misc.name);
    }
}
