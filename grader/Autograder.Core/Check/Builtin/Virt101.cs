using System.Buffers.Binary;
using Autograder.Exercise;

namespace Autograder.Check.Builtin;

/// <summary>Shared vocabulary of the virt-101 checks: commands, user variables, how to describe what a driver did.</summary>
internal static class Virt101
{
    public const int ENOTTY = 25;
    public const int EFAULT = 14;
    public const ulong KernelPointer = 0xffff_8880_0000_1000;

    /// <summary>Seeds at the edges of an unsigned int (0 behaves as 1 in glibc), for seed and determinism.</summary>
    public static readonly IReadOnlyList<uint> EdgeSeeds = [0, 1, 42, 0x7fffffff, 0x80000000, 0xffffffff];

    public static uint Rand(CheckContext ctx) => ctx.Parameters.Get("rand-cmd", 0x80047101u);

    public static uint Seed(CheckContext ctx) => ctx.Parameters.Get("seed-cmd", 0x40047101u);

    public static ulong Base(CheckContext ctx) => ctx.DefaultKernel.DeviceBase;

    /// <summary>A fresh 4-byte user variable holding <paramref name="value"/>, canary after it.</summary>
    public static ulong Variable(Driver d, uint? value = null)
    {
        if (value is null)
        {
            return d.User.Allocate(4);
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value.Value);
        return d.User.Allocate(4, bytes);
    }

    public static uint ReadU32(Driver d, ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(d.User.Read(address, 4));

    public static uint CanaryWord => 0x01010101u * UserMemory.Canary;

    public static string Errno(long value) => value switch
    {
        0 => "0",
        -1 => "-1 (-EPERM)",
        -5 => "-5 (-EIO)",
        -12 => "-12 (-ENOMEM)",
        -14 => "-14 (-EFAULT)",
        -16 => "-16 (-EBUSY)",
        -19 => "-19 (-ENODEV)",
        -22 => "-22 (-EINVAL)",
        -25 => "-25 (-ENOTTY)",
        25 => "+25 (ENOTTY without the minus)",
        14 => "+14 (EFAULT without the minus)",
        _ => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string Describe(MmioAccess a) =>
        a.IsWrite ? $"a {a.Size}-byte write of 0x{a.Value:x} at offset {a.Offset}" : $"a {a.Size}-byte read at offset {a.Offset}";

    public static string Describe(IEnumerable<MmioAccess> accesses)
    {
        var list = accesses.Select(Describe).ToList();
        return list.Count == 0 ? "no device access" : string.Join(", ", list);
    }

    /// <summary>Accesses that reached the device since <paramref name="mark"/> (an earlier Accesses.Count).</summary>
    public static List<MmioAccess> DeviceSince(Driver d, int mark) => [.. d.Device.Accesses.Skip(mark)];

    public static List<UserAccess> UserSince(Driver d, int mark) => [.. d.User.Accesses.Skip(mark)];

    /// <summary>A hint when no mapping the driver made covers the device's registers, else null.</summary>
    public static string? MappingHint(CheckContext ctx, Driver d)
    {
        var device = Base(ctx);
        if (d.Kernel.MappingHistory.Count == 0)
        {
            // A refused ioremap (RAM such as a placeholder 0xff) says why it returned NULL.
            if (d.Kernel.Trace.FirstOrDefault(e => e.Kind == "ioremap" && e.Va == 0 && e.Text is not null) is { } refused)
            {
                return $"ioremap(0x{refused.Address:x}, {refused.Size}) returned NULL: {refused.Text}.";
            }

            return "The driver never mapped the device: ioremap(0xfebf1000, 4096) in init and keep the pointer.";
        }

        if (CoversRegisters(d, device))
        {
            return null;
        }

        var m = d.Kernel.MappingHistory[0];
        return $"Your driver mapped 0x{m.Phys:x}, where no device answers; the my-rng device's registers are at 0x{device:x} "
            + $"(lspci -v in the VM shows BAR0): use DEVICE_BASE_PHYS_ADDR 0x{device:x}.";
    }

    /// <summary>
    /// The MMIO accesses since trace position <paramref name="traceMark"/> that went to a mapping where no device
    /// answers, as "a 4-byte read at mapping+0x0 (0xfebd1000)"; null when there were none. Says which registers
    /// a driver with a wrong base address meant, so a second bug stays visible.
    /// </summary>
    public static string? Unanswered(Driver d, int traceMark, string dir)
    {
        var lost = d.Kernel.Trace.Skip(traceMark)
            .Where(e => e is { Kind: "mmio", Offset: null, Text: not null } && e.Dir == dir)
            .Select(e => $"a {e.Size}-byte {dir}{(dir == "write" ? $" of 0x{e.Value:x}" : "")} at {e.Text!.Split(',')[0]} (0x{e.Address:x})")
            .ToList();
        return lost.Count == 0 ? null : string.Join(", ", lost) + ", where no device answers";
    }

    /// <summary>A live mapping covers both registers (offsets 0..7) of the device.</summary>
    public static bool CoversRegisters(Driver d, ulong device) =>
        d.Kernel.Mappings.Any(m => m.Phys <= device && m.Phys + m.Size >= device + 8);

    public static string Hex(ulong v) => $"0x{v:x}";

    public static string Sequence(IEnumerable<uint> values) => "[" + string.Join(", ", values) + "]";
}
