using Autograder.Protocol;

namespace Autograder.Exercise;

// CONTRACT STUB (owner: exercise helper). Signatures are fixed; bodies to implement.

/// <summary>glibc's rand()/srand(): the TYPE_3 additive feedback generator, bit for bit.</summary>
public sealed class GlibcRandom
{
    public GlibcRandom(uint seed = 1) => throw new NotImplementedException();
    /// <summary>srand(seed); srand(0) behaves as srand(1).</summary>
    public void Seed(uint seed) => throw new NotImplementedException();
    /// <summary>rand(): 0..2^31-1.</summary>
    public int Next() => throw new NotImplementedException();
    /// <summary>The first <paramref name="count"/> values after srand(seed).</summary>
    public static int[] Sequence(uint seed, int count) => throw new NotImplementedException();
}

/// <summary>One access that reached the device (after QEMU's splitting of 8-byte accesses).</summary>
public sealed record MmioAccess(bool IsWrite, ulong Offset, int Size, ulong Value, Api Api);

/// <summary>
/// The virt-101 PCI RNG (vendor 0x1234, device 0xcafe, BAR0 4 KiB). Offset 0 read = rand();
/// offset 4 write = srand(value); other offsets read 0 and ignore writes. 1- and 2-byte accesses
/// reach the callback and the value is truncated; an 8-byte access is split into two 4-byte ones
/// at off and off+4; unaligned accesses are rejected (read 0, write dropped, recorded as such).
/// </summary>
public sealed class RngDevice
{
    public const uint VendorId = 0x1234;
    public const uint DeviceId = 0xcafe;
    public const int RandOffset = 0;
    public const int SeedOffset = 4;

    public RngDevice() => throw new NotImplementedException();
    /// <summary>Every access that reached the device, in order.</summary>
    public IReadOnlyList<MmioAccess> Accesses => throw new NotImplementedException();
    /// <summary>srand(seed) from the grader's side (not recorded as an access).</summary>
    public void Seed(uint seed) => throw new NotImplementedException();
    /// <summary>The values the next <paramref name="count"/> RAND reads would return, without consuming them.</summary>
    public int[] Peek(int count) => throw new NotImplementedException();
    public ulong Read(ulong offset, int size, Api api) => throw new NotImplementedException();
    public void Write(ulong offset, int size, ulong value, Api api) => throw new NotImplementedException();
}

[Flags]
public enum UserProt { None = 0, Read = 1, Write = 2, ReadWrite = Read | Write }

/// <summary>One access the driver made to user memory, through copy_*_user/get_user/put_user.</summary>
public sealed record UserAccess(bool ToUser, ulong Address, int Size, ulong NotCopied, Api Api);

/// <summary>
/// A user address space: 4 KiB pages in <see cref="Layout.UserWindowBase"/>, each unmapped, read-only or
/// read-write. NULL and the kernel half are never mapped. Grader-side Read/Write are not recorded; driver
/// accesses (via <see cref="SimKernel"/>) are recorded in <see cref="Accesses"/> with the bytes they changed.
/// </summary>
public sealed class UserMemory
{
    public const int PageSize = 4096;
    /// <summary>Fill byte of fresh pages: a canary, so an overrun is visible.</summary>
    public const byte Canary = 0xA5;

    public UserMemory() => throw new NotImplementedException();
    public IReadOnlyList<UserAccess> Accesses => throw new NotImplementedException();

    /// <summary>
    /// A fresh variable of <paramref name="size"/> bytes at an address in its own page, holding
    /// <paramref name="initial"/> (or canary bytes), followed by <paramref name="slack"/> canary bytes in the
    /// same page; the rest of the page is canary too.
    /// </summary>
    public ulong Allocate(int size, ReadOnlySpan<byte> initial = default, UserProt prot = UserProt.ReadWrite, int slack = 16) => throw new NotImplementedException();
    /// <summary>An address whose first <paramref name="validBytes"/> bytes end a mapped read-write page followed by an unmapped one.</summary>
    public ulong AllocateStraddling(int validBytes) => throw new NotImplementedException();
    /// <summary>An address in the user window that is not mapped.</summary>
    public ulong Unmapped() => throw new NotImplementedException();

    public bool IsMapped(ulong address, UserProt need) => throw new NotImplementedException();
    /// <summary>Grader read-back; unmapped bytes read as 0.</summary>
    public byte[] Read(ulong address, int size) => throw new NotImplementedException();
    public void Write(ulong address, ReadOnlySpan<byte> data) => throw new NotImplementedException();
    /// <summary>Every byte address the driver changed or wrote to, in order of first write.</summary>
    public IReadOnlyList<ulong> WrittenBytes => throw new NotImplementedException();

    /// <summary>Driver-side copy (recorded). Copies the valid prefix; returns bytes not copied.</summary>
    public ulong CopyTo(ulong to, ReadOnlySpan<byte> data, Api api) => throw new NotImplementedException();
    /// <summary>Driver-side copy (recorded). Zero-fills what it could not copy; returns bytes not copied.</summary>
    public ulong CopyFrom(Span<byte> into, ulong from, Api api) => throw new NotImplementedException();
}
