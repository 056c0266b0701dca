using Autograder.Exercise;
using static Autograder.Check.Builtin.Virt101;

namespace Autograder.Check.Builtin;

/// <summary>RAND and SEED with NULL, unmapped, kernel-half, read-only (RAND) and page-straddling pointers
/// return -EFAULT; a failed SEED copy does not write the device; nothing outside the 4 bytes is written.</summary>
internal sealed class EfaultCheck : ICheck
{
    public string Id => "efault";

    public CheckVerdict Run(CheckContext ctx)
    {
        var rand = Rand(ctx);
        var seed = Seed(ctx);
        var d = ctx.LoadForIoctl();
        var cases = new List<(string Name, uint Cmd, Func<ulong> Pointer)>
        {
            ("RAND with NULL", rand, () => 0),
            ("RAND with an unmapped pointer", rand, d.User.Unmapped),
            ("RAND with a kernel pointer", rand, () => KernelPointer),
            ("RAND with a read-only pointer", rand, () => d.User.Allocate(4, prot: UserProt.Read)),
            ("RAND with a pointer straddling the end of a page", rand, () => d.User.AllocateStraddling(2)),
            ("SEED with NULL", seed, () => 0),
            ("SEED with an unmapped pointer", seed, d.User.Unmapped),
            ("SEED with a kernel pointer", seed, () => KernelPointer),
            ("SEED with a pointer straddling the end of a page", seed, () => d.User.AllocateStraddling(2)),
        };
        ctx.PlannedCases = cases.Count;
        foreach (var (name, cmd, pointer) in cases)
        {
            var address = pointer();
            var devMark = d.Device.Accesses.Count;
            var writtenMark = d.User.WrittenBytes.Count;
            var ret = d.Ioctl(cmd, address);
            var problems = new List<string>();
            if (ret != -EFAULT)
            {
                problems.Add($"returned {Errno(ret)}, expected -EFAULT (-14)");
                ctx.Hint(ret == 0
                    ? "copy_to_user/copy_from_user return the number of bytes NOT copied: when it is not 0, return -EFAULT."
                    : "Return -EFAULT (negative) when a copy fails.");
            }

            if (cmd == seed && DeviceSince(d, devMark).Any(a => a.IsWrite))
            {
                problems.Add("wrote the device although the copy from user memory failed");
                ctx.Hint("When copy_from_user fails, return -EFAULT before writing anything to the device.");
            }

            var stray = d.User.WrittenBytes.Skip(writtenMark).Where(b => b < address || b >= address + 4).ToList();
            if (stray.Count > 0)
            {
                problems.Add($"wrote {stray.Count} byte(s) of user memory outside the 4 bytes at 0x{address:x}");
            }

            ctx.Case(name, problems.Count == 0, string.Join("; ", problems));
        }

        return ctx.Verdict();
    }
}

/// <summary>Commands no driver of this exercise may answer return -ENOTTY and touch nothing.</summary>
internal sealed class EnottyCheck : ICheck
{
    public string Id => "enotty";

    public CheckVerdict Run(CheckContext ctx)
    {
        var answered = new HashSet<uint> { Rand(ctx), Seed(ctx) };
        var commands = ctx.Parameters.Get<IReadOnlyList<uint>>("commands", [0, 0xdeadbeef, 0x00007101, 0xc0047101, 0x80087101, 0x80047201])
            .Where(c => !answered.Contains(c)).ToList();
        ctx.PlannedCases = commands.Count;
        var d = ctx.LoadForIoctl();
        foreach (var cmd in commands)
        {
            var variable = Variable(d, 0x12345678);
            var devMark = d.Device.Accesses.Count;
            var userMark = d.User.Accesses.Count;
            var ret = d.Ioctl(cmd, variable);
            var problems = new List<string>();
            if (ret != -ENOTTY)
            {
                problems.Add($"returned {Errno(ret)}, expected -ENOTTY (-25)");
                ctx.Hint(ret switch
                {
                    -22 => "Unknown commands must return -ENOTTY (\"inappropriate ioctl for device\"), not -EINVAL.",
                    25 => "Return -ENOTTY, negative: the kernel turns it into errno for the application.",
                    0 => "The driver accepted a command it does not implement: the default case must return -ENOTTY, and RAND/SEED must match the exact numbers.",
                    _ => "The switch's default case must return -ENOTTY.",
                });
            }

            var device = DeviceSince(d, devMark);
            var user = UserSince(d, userMark);
            if (device.Count > 0 || user.Count > 0)
            {
                problems.Add($"touched {(device.Count > 0 ? "the device" : "")}{(device.Count > 0 && user.Count > 0 ? " and " : "")}{(user.Count > 0 ? "user memory" : "")}");
            }

            ctx.Case($"0x{cmd:x8} ({IoctlEncodingCheck.Decode(cmd)})", problems.Count == 0, string.Join("; ", problems));
        }

        return ctx.Verdict();
    }
}

/// <summary>RAND writes and SEED reads exactly the user's 4 bytes, through copy_*_user/get_user/put_user.</summary>
internal sealed class UserMemoryCheck : ICheck
{
    public string Id => "user-memory";

    public CheckVerdict Run(CheckContext ctx)
    {
        ctx.PlannedCases = 2;
        var d = ctx.LoadForIoctl();

        var variable = Variable(d);
        var userMark = d.User.Accesses.Count;
        var writtenMark = d.User.WrittenBytes.Count;
        d.Ioctl(Rand(ctx), variable);
        var accesses = UserSince(d, userMark);
        var written = d.User.WrittenBytes.Skip(writtenMark).Distinct().ToList();
        ctx.Case("RAND writes exactly the user's 4 bytes", Exactly(variable, accesses, written, toUser: true, out var randProblem), randProblem);

        variable = Variable(d, 42);
        userMark = d.User.Accesses.Count;
        writtenMark = d.User.WrittenBytes.Count;
        d.Ioctl(Seed(ctx), variable);
        accesses = UserSince(d, userMark);
        written = d.User.WrittenBytes.Skip(writtenMark).Distinct().ToList();
        if (!ctx.Case("SEED reads exactly the user's 4 bytes", Exactly(variable, accesses, written, toUser: false, out var seedProblem), seedProblem))
        {
            ctx.Hint("copy_from_user(&value, (void __user *)arg, sizeof(unsigned int)) into an unsigned int (or u32).");
        }

        if (randProblem?.Contains("bytes", StringComparison.Ordinal) == true)
        {
            ctx.Hint("The ioctl's argument is an unsigned int (4 bytes): copy sizeof(unsigned int), from/to an unsigned int or u32 variable, not an unsigned long.");
        }

        return ctx.Verdict();
    }

    private static bool Exactly(ulong variable, List<UserAccess> accesses, List<ulong> written, bool toUser, out string? problem)
    {
        var verb = toUser ? "write" : "read";
        var relevant = accesses.Where(a => a.ToUser == toUser).ToList();
        if (relevant.Count == 0)
        {
            problem = $"did not {verb} the user's variable at all (no {(toUser ? "copy_to_user/put_user" : "copy_from_user/get_user")})";
            return false;
        }

        var outside = relevant.Where(a => a.Address < variable || a.Address + (ulong)a.Size > variable + 4).ToList();
        if (outside.Count > 0)
        {
            var a = outside[0];
            problem = $"{(toUser ? "wrote" : "read")} {a.Size} bytes at 0x{a.Address:x} ({a.Api}) but the user's unsigned int is 4 bytes at 0x{variable:x}: an overrun";
            return false;
        }

        var stray = written.Where(b => b < variable || b >= variable + 4).ToList();
        if (stray.Count > 0 || (!toUser && written.Count > 0))
        {
            problem = $"wrote user memory it should not have ({(stray.Count > 0 ? stray.Count : written.Count)} bytes)";
            return false;
        }

        var covered = relevant.Sum(a => a.Size - (long)a.NotCopied);
        if (covered < 4)
        {
            problem = $"{verb} only {covered} of the 4 bytes";
            return false;
        }

        problem = null;
        return true;
    }
}
