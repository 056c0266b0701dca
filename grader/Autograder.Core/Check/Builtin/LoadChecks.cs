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
internal sealed class DmesgCheck : ICheck
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
        var shown = lines.Count == 0 ? "init printed nothing" : "init printed: " + string.Join(" | ", lines.Take(5).Select(l => $"\"{l}\""));
        ctx.Case("the loaded message names both ioctls", ok, $"expected a line containing \"{expectedStart}\" and \"0x{seed:x}\"; {shown}");
        if (!ok)
        {
            var all = string.Join("\n", lines);
            if (all.Contains($"0x{rand}", StringComparison.Ordinal) || all.Contains($"0x{(int)rand}", StringComparison.Ordinal))
            {
                ctx.Hint("A decimal number is printed behind \"0x\": print the numbers with %x or %lx, not %d.");
            }
            else if (lines.Any(l => l.Contains("loaded, registered ioctls", StringComparison.Ordinal)) && !lines.Any(l => l.Contains(name, StringComparison.Ordinal)))
            {
                ctx.Hint($"The message must name the driver \"{name}\".");
            }
            else if (lines.FirstOrDefault(l => l.Contains($"{name} loaded, registered ioctls 0x", StringComparison.Ordinal)) is { } wrong
                && !wrong.Contains(expectedStart, StringComparison.Ordinal))
            {
                ctx.Hint($"The message prints other command numbers than 0x{rand:x} and 0x{seed:x}: they come from your MY_RNG_IOCTL_RAND/SEED macros (see ioctl-encoding).");
            }
            else if (lines.Count > 1 && all.Contains(expectedStart, StringComparison.Ordinal))
            {
                ctx.Hint("The message is split across lines: print it with one printk (or continue it with KERN_CONT/pr_cont).");
            }
            else
            {
                ctx.Hint($"Print printk(\"{name} loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator)\\n\", MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED) at the end of init.");
            }
        }

        return ctx.Verdict();
    }
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

/// <summary>With ioremap failing, or major 250 taken, init fails with a negative errno and leaves nothing held.</summary>
internal sealed class ErrorPathsCheck : ICheck
{
    public string Id => "error-paths";

    public CheckVerdict Run(CheckContext ctx)
    {
        var major = ctx.Parameters.Get("major", 250u);
        ctx.PlannedCases = 2;

        using (var d = ctx.Boot(ctx.DefaultKernel with { FailIoremap = true }))
        {
            var init = d.TryInit();
            var regs = d.Kernel.Chrdevs.ToList();
            string? problem = init.Status switch
            {
                CallStatus.Oops => $"init oopsed when ioremap returned NULL ({init.Message}): check ioremap's result before using it",
                CallStatus.Returned when init.Value >= 0 && ProbeFailedCleanly(d) => null,
                CallStatus.Returned when init.Value >= 0 => $"init returned {Errno(init.Value)} although ioremap failed: return -ENOMEM",
                CallStatus.Returned when regs.Count > 0 => "init failed but left the character device registered",
                CallStatus.Returned => null,
                _ => $"init {init.Status}: {init.Message}",
            };
            ctx.Case("ioremap fails: init returns an error and registers nothing", problem is null, problem);
            if (problem is null && init.Value == -1)
            {
                ctx.Hint("init returns -1 (-EPERM) when ioremap fails; -ENOMEM says what happened.");
            }
        }

        using (var d = ctx.Boot(ctx.DefaultKernel with { TakenMajors = [major] }))
        {
            var init = d.TryInit();
            var asked = d.Kernel.Trace.Any(e => e is { Kind: "chrdev", Op: "register" } && e.Major == major);
            var maps = d.Kernel.Mappings.ToList();
            string? problem = init.Status switch
            {
                CallStatus.Oops => $"init oopsed when register_chrdev failed ({init.Message})",
                CallStatus.Returned when !asked => null,
                CallStatus.Returned when init.Value >= 0 && ProbeFailedCleanly(d) => null,
                CallStatus.Returned when init.Value >= 0 => $"init returned {Errno(init.Value)} although register_chrdev({major}) failed with -EBUSY: return its error",
                CallStatus.Returned when maps.Count > 0 => "init failed but left the device mapped: iounmap it before returning the error (the exercise's skeleton forgets)",
                CallStatus.Returned => null,
                _ => $"init {init.Status}: {init.Message}",
            };
            ctx.Case($"major {major} taken: init returns an error and unmaps the device", problem is null, problem);
            if (problem is null && init.Value == -1)
            {
                ctx.Hint("init returns -1 when register_chrdev fails; return its error (-EBUSY) instead.");
            }
        }

        return ctx.Verdict();
    }

    // A pci_driver's init (pci_register_driver) succeeds even when its probe fails, as in Linux: there the
    // failure must show as the probe leaving nothing registered or mapped.
    private static bool ProbeFailedCleanly(Driver d) =>
        d.Kernel.PciDriverBound && d.Kernel.Chrdevs.Count == 0 && d.Kernel.Mappings.Count == 0;
}
