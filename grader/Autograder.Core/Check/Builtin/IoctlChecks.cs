using Autograder.Exercise;
using static Autograder.Check.Builtin.Virt101;

namespace Autograder.Check.Builtin;

/// <summary>The command numbers: 0x80047101 writes the user's variable (a read ioctl) and 0x40047101 reads it,
/// whatever device registers they touch.</summary>
internal sealed class IoctlEncodingCheck : ICheck
{
    public string Id => "ioctl-encoding";

    public CheckVerdict Run(CheckContext ctx)
    {
        var rand = Rand(ctx);
        var seed = Seed(ctx);
        ctx.PlannedCases = 2;
        var d = ctx.LoadForIoctl();
        var randSeen = Observe(d, rand, fatal: true)!;
        var seedSeen = Observe(d, seed, fatal: true)!;
        var randOk = ctx.Case($"0x{rand:x8} writes the user's variable", randSeen.IsRand,
            $"0x{rand:x8} {randSeen.Describe()}; expected a copy to user memory (copy_to_user or put_user)");
        var seedOk = ctx.Case($"0x{seed:x8} reads the user's variable", seedSeen.IsSeed,
            $"0x{seed:x8} {seedSeen.Describe()}; expected a copy from user memory (copy_from_user or get_user)");
        if (randOk && seedOk)
        {
            return ctx.Verdict();
        }

        if (!randOk && !seedOk && randSeen.IsSeed && seedSeen.IsRand)
        {
            ctx.Hint("RAND and SEED directions are swapped: RAND reads from the device, so it is _IOR('q', 1, unsigned int); SEED is _IOW('q', 1, unsigned int).");
            return ctx.Verdict();
        }

        // Which registers the commands touch is judged by rand, seed and determinism: one defect, charged once.
        if (!randOk && !randSeen.User.Any(a => !a.ToUser) && !randSeen.Untouched)
        {
            ctx.Hint($"0x{rand:x8} reaches your RAND case, which never copies the value to the user: copy_to_user((void __user *)arg, &value, sizeof(value)).");
        }

        if (!seedOk && !seedSeen.User.Any(a => a.ToUser) && !seedSeen.Untouched)
        {
            ctx.Hint($"0x{seed:x8} reaches your SEED case, which never reads the user's value: copy_from_user(&value, (void __user *)arg, sizeof(value)).");
        }

        if ((!randOk && randSeen.Untouched) || (!seedOk && seedSeen.Untouched))
        {
            Diagnose(ctx, d, rand, seed, randOk || !randSeen.Untouched, seedOk || !seedSeen.Untouched);
        }

        return ctx.Verdict();
    }

    /// <summary>What one ioctl did to the device and to user memory; <paramref name="Unanswered"/> counts MMIO to a mapping where no device answers.</summary>
    private sealed record Seen(long Ret, List<MmioAccess> Device, List<UserAccess> User, int Unanswered)
    {
        public bool WritesUser => User.Any(a => a.ToUser);

        public bool ReadsUser => User.Any(a => !a.ToUser);

        // The command numbers only: what else a command does (device registers, an extra copy) is rand's, seed's,
        // determinism's and user-memory's to judge.
        public bool IsRand => WritesUser;

        public bool IsSeed => ReadsUser;

        public bool Untouched => Device.Count == 0 && User.Count == 0 && Unanswered == 0;

        public string Describe() => Untouched
            ? $"returned {Errno(Ret)} and touched neither the device nor user memory"
            : $"returned {Errno(Ret)} after {(Unanswered > 0 && Device.Count == 0 ? $"{Unanswered} MMIO access(es) where no device answers" : Virt101.Describe(Device))} and {(User.Count == 0 ? "no user memory access" : string.Join(", ", User.Select(u => $"{(u.ToUser ? "a copy to" : "a copy from")} user memory ({u.Size} bytes)")))}";
    }

    /// <summary>Runs one ioctl on a fresh user variable; null when the driver did not return (only when not fatal).</summary>
    private static Seen? Observe(Driver d, uint cmd, bool fatal)
    {
        var dev = d.Device.Accesses.Count;
        var user = d.User.Accesses.Count;
        var trace = d.Kernel.Trace.Count;
        var variable = Variable(d, 7);
        var r = fatal ? d.Throw(d.TryIoctl(cmd, variable), $"ioctl(0x{cmd:x8}, 0x{variable:x})") : d.TryIoctl(cmd, variable);
        var unanswered = d.Kernel.Trace.Skip(trace).Count(e => e is { Kind: "mmio", Offset: null });
        return r.Returned ? new Seen(r.Value, DeviceSince(d, dev), UserSince(d, user), unanswered) : null;
    }

    /// <summary>Finds the numbers the driver does answer to, to say what its macros encode. Probes a fresh,
    /// untraced driver, so the check's trace stays readable.</summary>
    private static void Diagnose(CheckContext ctx, Driver first, uint rand, uint seed, bool randFound, bool seedFound)
    {
        using var d = ctx.LoadForIoctl();
        d.Traced = false;
        var found = new List<string>();
        var probed = 0;
        foreach (var cmd in Candidates(rand, seed))
        {
            if (d.Instance.Dead || (randFound && seedFound))
            {
                break;
            }

            probed++;
            var seen = Observe(d, cmd, fatal: false);
            if (seen is { IsRand: true } && !randFound)
            {
                found.Add($"your RAND answers 0x{cmd:x8} ({Decode(cmd)})");
                randFound = true;
            }
            else if (seen is { IsSeed: true } && !seedFound)
            {
                found.Add($"your SEED answers 0x{cmd:x8} ({Decode(cmd)})");
                seedFound = true;
            }
        }

        first.Kernel.Note($"probed {probed} other command numbers of type 'q' in a fresh driver (not traced)");
        ctx.Hint((found.Count > 0 ? string.Join("; ", found) + ". " : "No other command number of type 'q' did RAND's or SEED's work. ")
            + $"Define MY_RNG_IOCTL_RAND as _IOR('q', 1, unsigned int) = 0x{rand:x8} and MY_RNG_IOCTL_SEED as _IOW('q', 1, unsigned int) = 0x{seed:x8}.");
    }

    internal static IEnumerable<uint> Candidates(uint rand, uint seed)
    {
        foreach (var dir in new uint[] { 2, 1, 3, 0 })
        {
            foreach (var size in new uint[] { 4, 8, 0, 1, 2 })
            {
                foreach (var nr in new uint[] { 1, 0, 2, 3 })
                {
                    var cmd = (dir << 30) | (size << 16) | ((uint)'q' << 8) | nr;
                    if (cmd != rand && cmd != seed)
                    {
                        yield return cmd;
                    }
                }
            }
        }
    }

    internal static string Decode(uint cmd)
    {
        var dir = cmd >> 30;
        var size = (cmd >> 16) & 0x3fff;
        var type = (char)((cmd >> 8) & 0xff);
        var nr = cmd & 0xff;
        var macro = dir switch { 0 => "_IO", 1 => "_IOW", 2 => "_IOR", _ => "_IOWR" };
        var sizeText = size switch
        {
            4 => "size 4 = sizeof(unsigned int)",
            8 => "size 8 = sizeof(unsigned long) or of a pointer such as unsigned int *",
            _ => $"size {size}",
        };
        return dir == 0 ? $"{macro}('{type}', {nr})" : $"{macro}('{type}', {nr}, ...): {sizeText}";
    }
}

/// <summary>With the device seeded directly, each RAND returns 0, reads offset 0 once with a 4-byte access
/// and writes exactly the device's value to the user's 4 bytes.</summary>
internal sealed class RandCheck : ICheck
{
    public string Id => "rand";

    public CheckVerdict Run(CheckContext ctx)
    {
        var rand = Rand(ctx);
        var calls = ctx.Parameters.Get("calls", 5);
        ctx.PlannedCases = calls;
        var d = ctx.LoadForIoctl();
        d.Device.Seed((uint)ctx.Random.Next());
        for (var i = 1; i <= calls; i++)
        {
            var expected = (uint)d.Device.Peek(1)[0];
            var variable = Variable(d);
            var mark = d.Device.Accesses.Count;
            var traceMark = d.Kernel.Trace.Count;
            var ret = d.Ioctl(rand, variable);
            var accesses = DeviceSince(d, mark);
            var reads = accesses.Where(a => !a.IsWrite).ToList();
            var got = ReadU32(d, variable);
            var problems = new List<string>();
            if (ret != 0)
            {
                problems.Add($"returned {Errno(ret)}, expected 0");
            }

            if (reads.Count == 0)
            {
                problems.Add(Unanswered(d, traceMark, "read") is { } lost ? $"made {lost}" : "did not read the device");
                ctx.Hint(MappingHint(ctx, d) ?? "Read the RAND register with ioread32(devmem) (offset 0) and copy_to_user the value.");
            }
            // Only reads of the RAND register's bytes consume a value; an extension's own registers may be read too.
            else if (reads.Where(a => a.Offset < 4).ToList() is not [{ Offset: 0, Size: 4 }])
            {
                problems.Add($"read the device as {Describe(reads)}; expected one 4-byte read at offset 0");
                ctx.Hint("Read the RAND register once per call with ioread32(devmem) or readl(devmem).");
            }

            if (got != expected)
            {
                problems.Add(got == CanaryWord
                    ? "the user's variable was not written"
                    : $"the user's variable holds 0x{got:x8}, the device gave 0x{expected:x8}");
                if (got == CanaryWord)
                {
                    ctx.Hint("copy_to_user((void __user *)arg, &value, sizeof(value)) after reading the device.");
                }
            }

            ctx.Case($"RAND call {i}", problems.Count == 0, string.Join("; ", problems));
        }

        return ctx.Verdict();
    }
}

/// <summary>SEED(v) returns 0 and makes the device see a 4-byte write of v at offset 4.</summary>
internal sealed class SeedCheck : ICheck
{
    public string Id => "seed";

    public CheckVerdict Run(CheckContext ctx)
    {
        var seed = Seed(ctx);
        var values = ctx.Parameters.Get("values", EdgeSeeds);
        ctx.PlannedCases = values.Count;
        var d = ctx.LoadForIoctl();
        foreach (var v in values)
        {
            var variable = Variable(d, v);
            var mark = d.Device.Accesses.Count;
            var traceMark = d.Kernel.Trace.Count;
            var ret = d.Ioctl(seed, variable);
            var writes = DeviceSince(d, mark).Where(a => a.IsWrite).ToList();
            var atSeed = writes.Where(a => a.Offset == 4).ToList();
            var problems = new List<string>();
            if (ret != 0)
            {
                problems.Add($"returned {Errno(ret)}, expected 0");
            }

            if (atSeed is not [{ Size: 4 } w] || (uint)w.Value != v)
            {
                problems.Add(writes.Count > 0 ? $"the device saw {Describe(writes)}; expected one 4-byte write of 0x{v:x} at offset 4"
                    : Unanswered(d, traceMark, "write") is { } lost ? $"made {lost}" : "did not write the device");
                if (writes.Any(a => a.Offset == 0) && atSeed.Count == 0)
                {
                    ctx.Hint("The seed is written to offset 0 (the RAND register, which ignores writes): write it to offset 4, iowrite32(value, devmem + 4).");
                }
                else if (writes.Count == 0)
                {
                    ctx.Hint(MappingHint(ctx, d) ?? "copy_from_user the value, then iowrite32(value, devmem + 4).");
                    var unanswered = Unanswered(d, traceMark, "write");
                    if (unanswered is not null && unanswered.Contains("mapping+0x0 ", StringComparison.Ordinal) && !unanswered.Contains("mapping+0x4 ", StringComparison.Ordinal))
                    {
                        ctx.Hint("Also, the seed is written at mapping+0 (the RAND register): write it to offset 4, iowrite32(value, devmem + 4).");
                    }
                }
            }

            ctx.Case($"SEED(0x{v:x})", problems.Count == 0, string.Join("; ", problems));
        }

        return ctx.Verdict();
    }
}

/// <summary>Through the driver only: SEED(s) then k RANDs equals glibc's sequence for s, and re-seeding reproduces it.</summary>
internal sealed class DeterminismCheck : ICheck
{
    public string Id => "determinism";

    public CheckVerdict Run(CheckContext ctx)
    {
        var rand = Rand(ctx);
        var seed = Seed(ctx);
        var calls = ctx.Parameters.Get("calls", 5);
        var seeds = ctx.Parameters.Get("seeds", EdgeSeeds)
            .Select(s => (Seed: s, Drawn: false)).ToList();
        var drawn = ctx.Parameters.Get("random-seeds", 3);
        for (var i = 0; i < drawn; i++)
        {
            seeds.Add(((uint)ctx.Random.NextInt64(0, 1L << 32), true));
        }

        ctx.PlannedCases = seeds.Count;
        var d = ctx.LoadForIoctl();
        foreach (var (s, isDrawn) in seeds)
        {
            var expected = GlibcRandom.Sequence(s, calls).Select(v => (uint)v).ToList();
            var first = Run(d, seed, rand, s, calls);
            var second = Run(d, seed, rand, s, calls);
            string? problem = null;
            if (!first.SequenceEqual(expected))
            {
                problem = $"got {Sequence(first)}, glibc's srand(0x{s:x}) gives {Sequence(expected)}";
                ctx.Hint(MappingHint(ctx, d) ?? (first.SequenceEqual(second)
                    ? "The values do not follow the seed: SEED must write the user's value to offset 4 and RAND read offset 0, one read per call."
                    : "The sequence does not restart after SEED: SEED must write the user's value to the SEED register (offset 4)."));
            }
            else if (!second.SequenceEqual(expected))
            {
                problem = $"re-seeding with 0x{s:x} gave {Sequence(second)} instead of {Sequence(expected)}";
            }

            ctx.Case($"seed 0x{s:x}{(isDrawn ? " (drawn at random)" : "")}", problem is null, problem);
        }

        return ctx.Verdict();
    }

    private static List<uint> Run(Driver d, uint seedCmd, uint randCmd, uint s, int calls)
    {
        d.Ioctl(seedCmd, Variable(d, s));
        var values = new List<uint>(calls);
        for (var i = 0; i < calls; i++)
        {
            var variable = Variable(d);
            d.Ioctl(randCmd, variable);
            values.Add(ReadU32(d, variable));
        }

        return values;
    }
}
