using System.Text.RegularExpressions;
using Autograder.Exercise;
using Autograder.Load;
using static Autograder.Check.Builtin.Virt101;

namespace Autograder.Check.Builtin;

/// <summary>init returns 0, maps the device, registers major 250 as "my_rng_driver" with an unlocked_ioctl.</summary>
internal sealed class LoadCheck : ICheck
{
    public string Id => "load";

    public CheckVerdict Run(CheckContext ctx)
    {
        var major = ctx.Parameters.Get("major", 250u);
        var name = ctx.Parameters.Get("name", "my_rng_driver");
        ctx.PlannedCases = 5;
        var d = ctx.Load();
        var init = d.InitResult!;
        if (init.Status == CallStatus.Missing)
        {
            ctx.Case("init runs", false, init.Message);
            ctx.Hint("Mark the init function with module_init(...) ([module_init] in C#).");
            return ctx.Verdict();
        }

        if (!ctx.Case("init returns 0", init.Value == 0, $"init returned {Errno(init.Value)}"))
        {
            ctx.Hint("init must return 0 when the device is mapped and registered.");
        }

        var mapped = CoversRegisters(d, Base(ctx)) || (ctx.Parameters.Get("accept-other-base", false) && d.Kernel.Mappings.Count > 0);
        ctx.Case("maps the device's registers", mapped, MappingHint(ctx, d) ?? "the mapping was undone before init returned");

        var regs = d.Kernel.Chrdevs.ToList();
        var atMajor = regs.FirstOrDefault(r => r.Major == major);
        var held = regs.Count == 0 ? "nothing was registered" : "registered: " + string.Join(", ", regs.Select(r => $"major {r.Major} \"{r.Name}\""));
        if (!ctx.Case($"registers major {major}", atMajor is not null, held))
        {
            ctx.Hint($"Call register_chrdev({major}, \"{name}\", &my_rng_fops): /dev/{name} is created with mknod for major {major}.");
        }

        // A driver registered under another major is judged on its name there: one deviation, one case lost.
        var named = atMajor ?? regs.FirstOrDefault(r => r.Name == name) ?? regs.FirstOrDefault();
        ctx.Case($"named \"{name}\"", named?.Name == name, named is null ? held : $"major {named.Major} is named \"{named.Name}\"");
        ctx.Case("with an unlocked_ioctl handler", regs.Any(r => r.HasIoctl), regs.Count == 0 ? held : "the file_operations have no .unlocked_ioctl");
        return ctx.Verdict();
    }
}

/// <summary>init logs "my_rng_driver loaded, registered ioctls 0x80047101 ... 0x40047101" on one line.</summary>
internal sealed partial class DmesgCheck : ICheck
{
    public string Id => "dmesg";

    public CheckVerdict Run(CheckContext ctx)
    {
        var name = ctx.Parameters.Get("name", "my_rng_driver");
        var rand = Rand(ctx);
        var seed = Seed(ctx);
        var expectedStart = $"{name} loaded, registered ioctls 0x{rand:x}";
        var d = ctx.Load();
        var lines = d.Kernel.Dmesg.Select(l => l.Text).ToList();
        var ok = lines.Any(l => l.Contains(expectedStart, StringComparison.Ordinal) && l.Contains($"0x{seed:x}", StringComparison.Ordinal));
        var debugOnly = lines.Count == 0 && d.Kernel.Trace.Any(e => e.Kind == "note" && e.Text?.StartsWith(PrDebugNote, StringComparison.Ordinal) == true);
        var shown = lines.Count == 0 ? debugOnly ? "init printed nothing (its pr_debug message is compiled out)" : "init printed nothing"
            : lines.All(l => l.Length == 0) ? "init printed only empty records"
            : "init printed: " + string.Join(" | ", lines.Take(5).Select(l => $"\"{l}\""));
        ctx.Case("the loaded message names both ioctls", ok, $"expected a line containing \"{expectedStart}\" and \"0x{seed:x}\"; {shown}");
        if (!ok)
        {
            ctx.Hint(DmesgHint(ctx, lines, debugOnly, name, rand, seed, expectedStart));
        }

        return ctx.Verdict();
    }

    /// <summary>The start of the note a pr_debug call leaves (C and C#): it prints nothing in a default kernel.</summary>
    internal const string PrDebugNote = "pr_debug printed nothing";

    // What went wrong with the message, named by what the driver printed (not by a guess at its cause).
    private static string DmesgHint(CheckContext ctx, List<string> lines, bool debugOnly, string name, uint rand, uint seed, string expectedStart)
    {
        var all = string.Join("\n", lines);
        var csharp = ctx.Submission.Language == "csharp";
        var printed = lines.Select(l => LoadedNumbers().Match(l)).FirstOrDefault(m => m.Success);
        if (debugOnly)
        {
            return "Your message went through pr_debug, which prints nothing unless the kernel is built with DEBUG or dynamic debug "
                + "enables it: use pr_info or printk(KERN_INFO ...).";
        }

        if (lines.Any(l => l.Length == 0) && !lines.Any(l => l.Contains("loaded", StringComparison.Ordinal)))
        {
            return csharp
                ? "Your printk printed an empty record: printk(KERN_INFO, \"...\") passes the message as an argument of a format that holds only the level. Join them with +: printk(KERN_INFO + \"...\")."
                : "Your printk printed an empty record: printk(KERN_INFO, \"...\") passes the message as an argument of a format that holds only the level. Put them side by side: printk(KERN_INFO \"...\").";
        }

        if (DotNetPlaceholder().Match(all) is { Success: true } placeholder)
        {
            return $"Your message printed '{placeholder.Value}' literally: printk uses C format specifiers such as 0x%x (printk(\"... 0x%x ...\", MY_RNG_IOCTL_RAND)), not .NET's {{0:x}}.";
        }

        if (all.Contains($"0x{rand}", StringComparison.Ordinal) || all.Contains($"0x{(int)rand}", StringComparison.Ordinal))
        {
            return "A decimal number is printed behind \"0x\": print the numbers with %x or %lx, not %d.";
        }

        if (lines.Any(l => l.Contains("loaded, registered ioctls", StringComparison.Ordinal)) && !lines.Any(l => l.Contains(name, StringComparison.Ordinal)))
        {
            return $"The message must name the driver \"{name}\".";
        }

        if (printed is not null && lines.Any(l => l.Contains($"{name} loaded, registered ioctls 0x", StringComparison.Ordinal)))
        {
            var (a, b) = (printed.Groups[1].Value, printed.Groups[2].Value);
            var (zeroA, zeroB) = (a.TrimStart('0').Length == 0, b.TrimStart('0').Length == 0);
            if (zeroA || zeroB)
            {
                var which = zeroA && zeroB ? "both numbers" : zeroA ? "MY_RNG_IOCTL_RAND" : "MY_RNG_IOCTL_SEED";
                var fields = zeroA && zeroB ? "MY_RNG_IOCTL_RAND/SEED" : which;
                return csharp
                    ? $"Your message printed 0x0 for {which}: the field holding the message was initialised before {fields} (C# initialises static fields in order, so it still read 0). Declare the numbers first, or build the message in init."
                    : $"Your message printed 0x0 for {which}: the value passed to printk is 0, not {fields}.";
            }

            if (!all.Contains(expectedStart, StringComparison.Ordinal))
            {
                return $"Your message printed 0x{a} and 0x{b} where 0x{rand:x} and 0x{seed:x} belong: print MY_RNG_IOCTL_RAND and MY_RNG_IOCTL_SEED, defined as _IOR('q', 1, unsigned int) and _IOW('q', 1, unsigned int) (see ioctl-encoding).";
            }
        }

        if (lines.Count > 1 && all.Contains(expectedStart, StringComparison.Ordinal))
        {
            return "The message is split across lines: print it with one printk (or continue it with KERN_CONT/pr_cont).";
        }

        return $"Print printk(\"{name} loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator)\\n\", MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED) at the end of init.";
    }

    [GeneratedRegex(@"registered ioctls 0x([0-9a-fA-F]*)\b.*?0x([0-9a-fA-F]*)")]
    private static partial Regex LoadedNumbers();

    [GeneratedRegex(@"\{\d+(,-?\d+)?(:[^{}]*)?\}")]
    private static partial Regex DotNetPlaceholder();
}

/// <summary>exit unregisters the device and unmaps every mapping.</summary>
internal sealed class UnloadCheck : ICheck
{
    public string Id => "unload";

    public CheckVerdict Run(CheckContext ctx)
    {
        ctx.PlannedCases = 3;
        var d = ctx.Load();
        if (d.InitResult is not { Returned: true, Value: 0 })
        {
            throw new SkipCheckException($"module_init did not succeed ({d.InitResult}), so there is nothing to unload");
        }

        var exit = d.Exit();
        if (!ctx.Case("module_exit runs", exit.Returned, exit.Message ?? ""))
        {
            ctx.Hint("Mark the exit function with module_exit(...) ([module_exit] in C#).");
            return ctx.Verdict();
        }

        var regs = d.Kernel.Chrdevs.ToList();
        if (!ctx.Case("unregisters its character device", regs.Count == 0, "still registered: " + string.Join(", ", regs.Select(r => $"major {r.Major} \"{r.Name}\""))))
        {
            ctx.Hint("Call unregister_chrdev(250, \"my_rng_driver\") in exit.");
        }

        var maps = d.Kernel.Mappings.ToList();
        if (!ctx.Case("unmaps every mapping", maps.Count == 0, "still mapped: " + string.Join(", ", maps.Select(m => $"0x{m.Phys:x} ({m.Size} bytes)"))))
        {
            ctx.Hint("Call iounmap(devmem) in exit.");
        }

        return ctx.Verdict();
    }
}

/// <summary>With ioremap failing, or the major the driver asks for taken, init fails with a negative errno and
/// leaves nothing held.</summary>
internal sealed class ErrorPathsCheck : ICheck
{
    public string Id => "error-paths";

    public CheckVerdict Run(CheckContext ctx)
    {
        ctx.PlannedCases = 2;
        // Hints go only with a case that failed; an accepted -1 is said in a note of the trace.
        using (var d = ctx.Boot(ctx.DefaultKernel with { FailIoremap = true }))
        {
            var init = d.TryInit();
            var regs = d.Kernel.Chrdevs.ToList();
            var (problem, hint) = init.Status switch
            {
                CallStatus.Oops => ($"init oopsed when ioremap returned NULL ({init.Message})",
                    "Check ioremap's result before using it: if (!devmem) return -ENOMEM;"),
                CallStatus.Returned when init.Value >= 0 && ProbeFailedCleanly(d) => (null, null),
                CallStatus.Returned when init.Value >= 0 => ($"init returned {Errno(init.Value)} although ioremap failed",
                    "When ioremap returns NULL, return -ENOMEM from init."),
                CallStatus.Returned when regs.Count > 0 => ("init failed but left the character device registered",
                    "Map the device before registering it, or unregister_chrdev before returning the error."),
                CallStatus.Returned => (null, null),
                _ => ($"init {init.Status}: {init.Message}", null),
            };
            Judge(ctx, d, "ioremap fails: init returns an error and registers nothing", problem, hint, init,
                "-ENOMEM says what happened");
        }

        var (taken, major, firstInit) = BootWithMajorTaken(ctx);
        var what = major == 0 ? "no dynamic major free" : $"major {major} taken";
        using (var d = taken)
        {
            var init = firstInit;
            var maps = d.Kernel.Mappings.ToList();
            var refused = d.Kernel.Trace.Any(e => e is { Kind: "chrdev", Op: "register", Ret: < 0 });
            var (problem, hint) = init.Status switch
            {
                CallStatus.Oops => ($"init oopsed when register_chrdev failed ({init.Message})", null),
                CallStatus.Returned when !refused => (null, null),
                CallStatus.Returned when init.Value >= 0 && ProbeFailedCleanly(d) => (null, null),
                CallStatus.Returned when init.Value >= 0 => ($"init returned {Errno(init.Value)} although registering major {major} failed with -EBUSY",
                    "Check register_chrdev's result and return its error."),
                CallStatus.Returned when maps.Count > 0 => ("init failed but left the device mapped",
                    "iounmap the device before returning the error (the exercise's skeleton forgets)."),
                CallStatus.Returned => (null, null),
                _ => ($"init {init.Status}: {init.Message}", null),
            };
            Judge(ctx, d, $"{what}: init returns an error and unmaps the device", problem, hint, init,
                "return register_chrdev's error (-EBUSY)");
        }

        return ctx.Verdict();
    }

    private static void Judge(CheckContext ctx, Driver d, string name, string? problem, string? hint, DriverCall init, string better)
    {
        if (!ctx.Case(name, problem is null, problem) && hint is not null)
        {
            ctx.Hint(hint);
        }
        else if (problem is null && init is { Status: CallStatus.Returned, Value: -1 })
        {
            d.Kernel.Note($"init returns -1 (-EPERM), which is accepted; {better}");
        }
    }

    // Boots with the rubric's major taken; when the driver asks for another (0 for a dynamic one), boots again
    // with that one taken (all dynamic ones for 0), so the major taken is the one the driver asks for.
    private static (Driver Driver, uint Major, DriverCall Init) BootWithMajorTaken(CheckContext ctx)
    {
        var major = ctx.Parameters.Get("major", 250u);
        for (var attempt = 0; ; attempt++)
        {
            IReadOnlyList<uint> taken = major == 0
                ? [.. Enumerable.Range((int)SimKernel.DynamicMajorLow, (int)(SimKernel.DynamicMajorHigh - SimKernel.DynamicMajorLow + 1)).Select(m => (uint)m)]
                : [major];
            var d = ctx.Boot(ctx.DefaultKernel with { TakenMajors = taken });
            var init = d.TryInit();
            var asked = d.Kernel.Trace.FirstOrDefault(e => e is { Kind: "chrdev", Op: "register" })?.Major;
            if (asked is not { } other || other == major || attempt > 0)
            {
                return (d, major, init);
            }

            d.Traced = false;
            d.Dispose();
            major = other;
        }
    }

    // A pci_driver's init (pci_register_driver) succeeds even when its probe fails, as in Linux: there the
    // failure must show as the probe leaving nothing registered or mapped.
    private static bool ProbeFailedCleanly(Driver d) =>
        d.Kernel.PciDriverBound && d.Kernel.Chrdevs.Count == 0 && d.Kernel.Mappings.Count == 0;
}
