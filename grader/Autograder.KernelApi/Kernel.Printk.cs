namespace Autograder.KernelApi;

public static partial class Kernel
{
    // The kernel cuts a record at about 1 KiB; so do we, which also bounds what one call can send.
    private const int MaxRecord = 1024;

    /// <summary>
    /// Writes to the kernel log with C printf formatting (%d %i %u %x %X %o %c %s %p %%, flags, width,
    /// precision, h hh l ll z). Start the format with a level (<see cref="KERN_INFO"/> + "...") or use
    /// <see cref="pr_info"/>; a message without "\n" is continued by the next one.
    /// </summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int printk(string fmt, params object?[] args)
    {
        // Past the grader's dmesg cap nothing more is kept: a flood then costs no formatting either (issue 16).
        if (Backend.DmesgFull)
        {
            return 0;
        }

        var text = CFormat.Format(fmt ?? "(null)", args);
        if (text.Length > MaxRecord)
        {
            text = text[..MaxRecord];
        }

        Backend.Printk(text);
        return text.Length;
    }

    /// <summary>printk at <see cref="KERN_EMERG"/>.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_emerg(string fmt, params object?[] args) => printk(KERN_EMERG + fmt, args);

    /// <summary>printk at <see cref="KERN_ALERT"/>.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_alert(string fmt, params object?[] args) => printk(KERN_ALERT + fmt, args);

    /// <summary>printk at <see cref="KERN_CRIT"/>.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_crit(string fmt, params object?[] args) => printk(KERN_CRIT + fmt, args);

    /// <summary>printk at <see cref="KERN_ERR"/>.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_err(string fmt, params object?[] args) => printk(KERN_ERR + fmt, args);

    /// <summary>printk at <see cref="KERN_WARNING"/>.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_warn(string fmt, params object?[] args) => printk(KERN_WARNING + fmt, args);

    /// <summary>printk at <see cref="KERN_WARNING"/> (older name of <see cref="pr_warn"/>).</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_warning(string fmt, params object?[] args) => printk(KERN_WARNING + fmt, args);

    /// <summary>printk at <see cref="KERN_NOTICE"/>.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_notice(string fmt, params object?[] args) => printk(KERN_NOTICE + fmt, args);

    /// <summary>printk at <see cref="KERN_INFO"/>.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_info(string fmt, params object?[] args) => printk(KERN_INFO + fmt, args);

    /// <summary>Continues the previous log line (<see cref="KERN_CONT"/>).</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int pr_cont(string fmt, params object?[] args) => printk(KERN_CONT + fmt, args);

    /// <summary>Debug message: compiled out, as in a kernel built without DEBUG or dynamic debug.</summary>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>0.</returns>
    public static int pr_debug(string fmt, params object?[] args)
    {
        // Compiled out in a default kernel; the note lets the dmesg check say why nothing was printed.
        var text = fmt ?? "(null)";
        Backend.Note($"pr_debug printed nothing (no DEBUG, no dynamic debug): \"{(text.Length > 120 ? text[..120] : text)}\"");
        return 0;
    }

    /// <summary>A device (C's <c>struct device</c>), as dev_info/dev_err take it.</summary>
    public sealed class device
    {
        /// <summary>The device's name, printed before the message.</summary>
        public string name { get; init; } = "";
    }

    /// <summary>printk at <see cref="KERN_INFO"/> prefixed by the device's name.</summary>
    /// <param name="dev">The device (may be null).</param>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int dev_info(device? dev, string fmt, params object?[] args) => printk(KERN_INFO + DevPrefix(dev) + fmt, args);

    /// <summary>printk at <see cref="KERN_ERR"/> prefixed by the device's name.</summary>
    /// <param name="dev">The device (may be null).</param>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int dev_err(device? dev, string fmt, params object?[] args) => printk(KERN_ERR + DevPrefix(dev) + fmt, args);

    /// <summary>printk at <see cref="KERN_WARNING"/> prefixed by the device's name.</summary>
    /// <param name="dev">The device (may be null).</param>
    /// <param name="fmt">The format string.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The number of characters written.</returns>
    public static int dev_warn(device? dev, string fmt, params object?[] args) => printk(KERN_WARNING + DevPrefix(dev) + fmt, args);

    // The format's own % signs must survive: the device name is escaped before it joins the format.
    private static string DevPrefix(device? dev) =>
        dev is null ? "(NULL device *): " : dev.name.Replace("%", "%%", StringComparison.Ordinal) + ": ";
}
