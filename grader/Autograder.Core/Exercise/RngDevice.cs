using Autograder.Protocol;

namespace Autograder.Exercise;

/// <summary>
/// One access that reached the device (after QEMU's splitting of 8-byte accesses).
/// <see cref="Rejected"/> marks an unaligned access the device refused (read all-ones, write dropped).
/// </summary>
public sealed record MmioAccess(bool IsWrite, ulong Offset, int Size, ulong Value, Api Api)
{
    public bool Rejected { get; init; }
}

/// <summary>
/// The virt-101 PCI RNG (vendor 0x1234, device 0xcafe, BAR0 4 KiB), as its QEMU model behaves.
/// Offset 0 read = rand(); offset 4 write = srand(value); other offsets read 0 and ignore writes
/// (a write at offset 0 is ignored too). 1- and 2-byte accesses reach the callback and the value is
/// truncated (a 1-byte read at 0 consumes a rand()); an 8-byte access is split into two 4-byte ones at
/// off and off+4, low half first; unaligned accesses (offset % size != 0) are rejected: read all-ones,
/// write dropped, recorded with <see cref="MmioAccess.Rejected"/>. Not thread-safe.
/// </summary>
public sealed class RngDevice
{
    public const uint VendorId = 0x1234;
    public const uint DeviceId = 0xcafe;
    public const int RandOffset = 0;
    public const int SeedOffset = 4;

    private readonly GlibcRandom _random = new();
    private readonly List<MmioAccess> _accesses = [];

    /// <summary>Every access that reached the device, in order.</summary>
    public IReadOnlyList<MmioAccess> Accesses => _accesses;

    /// <summary>srand(seed) from the grader's side (not recorded as an access).</summary>
    public void Seed(uint seed) => _random.Seed(seed);

    /// <summary>The values the next <paramref name="count"/> RAND reads would return, without consuming them.</summary>
    public int[] Peek(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var preview = _random.Clone();
        var values = new int[count];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = preview.Next();
        }

        return values;
    }

    /// <summary>A read of <paramref name="size"/> (1, 2, 4 or 8) bytes at <paramref name="offset"/> in the BAR.</summary>
    public ulong Read(ulong offset, int size, Api api)
    {
        CheckSize(size);
        if (offset % (ulong)size != 0)
        {
            var ones = AllOnes(size);
            _accesses.Add(new MmioAccess(false, offset, size, ones, api) { Rejected = true });
            return ones;
        }

        if (size == 8)
        {
            var low = ReadCallback(offset, 4, api);
            var high = ReadCallback(offset + 4, 4, api);
            return low | (high << 32);
        }

        return ReadCallback(offset, size, api);
    }

    /// <summary>A write of <paramref name="size"/> (1, 2, 4 or 8) bytes at <paramref name="offset"/> in the BAR.</summary>
    public void Write(ulong offset, int size, ulong value, Api api)
    {
        CheckSize(size);
        if (offset % (ulong)size != 0)
        {
            _accesses.Add(new MmioAccess(true, offset, size, value & AllOnes(size), api) { Rejected = true });
            return;
        }

        if (size == 8)
        {
            WriteCallback(offset, 4, value & 0xffff_ffff, api);
            WriteCallback(offset + 4, 4, value >> 32, api);
            return;
        }

        WriteCallback(offset, size, value & AllOnes(size), api);
    }

    internal static ulong AllOnes(int size) => size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    private ulong ReadCallback(ulong offset, int size, Api api)
    {
        var value = offset == RandOffset ? (ulong)(uint)_random.Next() & AllOnes(size) : 0;
        _accesses.Add(new MmioAccess(false, offset, size, value, api));
        return value;
    }

    private void WriteCallback(ulong offset, int size, ulong value, Api api)
    {
        _accesses.Add(new MmioAccess(true, offset, size, value, api));
        if (offset == SeedOffset)
        {
            _random.Seed((uint)value);
        }
    }

    // The kernel model only forwards 1/2/4/8-byte accesses; anything else is a grader bug.
    private static void CheckSize(int size)
    {
        if (size is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "MMIO access size must be 1, 2, 4 or 8");
        }
    }
}
