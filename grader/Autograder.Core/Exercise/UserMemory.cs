using Autograder.Protocol;

namespace Autograder.Exercise;

[Flags]
public enum UserProt { None = 0, Read = 1, Write = 2, ReadWrite = Read | Write }

/// <summary>One access the driver made to user memory, through copy_*_user/get_user/put_user.</summary>
public sealed record UserAccess(bool ToUser, ulong Address, int Size, ulong NotCopied, Api Api);

/// <summary>
/// A user address space: 4 KiB pages in <see cref="Layout.UserWindowBase"/>, each unmapped, read-only or
/// read-write. NULL, everything outside the window and the kernel half are never mapped. Grader-side
/// Read/Write are not recorded; driver accesses (via <see cref="SimKernel"/>) are recorded in
/// <see cref="Accesses"/> and <see cref="WrittenBytes"/>. Not thread-safe.
/// </summary>
/// <remarks>
/// Pages are handed out once and never reused: variables grow upwards from the window's start,
/// <see cref="Unmapped"/> addresses come downwards from its end, so an address the grader called unmapped
/// stays unmapped. A page that was never written holds only canary bytes and has no backing array.
/// </remarks>
public sealed class UserMemory
{
    public const int PageSize = 4096;
    /// <summary>Fill byte of fresh pages: a canary, so an overrun is visible.</summary>
    public const byte Canary = 0xA5;
    /// <summary>Where a small variable sits in its page: away from the page start, so an underrun is visible too.</summary>
    public const int VariableOffset = 64;

    private const int PageShift = 12;
    private const ulong FirstPage = Layout.UserWindowBase >> PageShift;
    private const ulong PageCount = Layout.UserWindowSize >> PageShift;

    private readonly Dictionary<ulong, Page> _pages = [];
    private readonly List<UserAccess> _accesses = [];
    private readonly List<ulong> _written = [];
    private readonly HashSet<ulong> _writtenSet = [];
    private readonly List<(ulong Start, ulong Length)> _writable = [];
    // Next page (index from the window's start) for variables, and the last one handed out as unmapped.
    private ulong _nextPage = 1;
    private ulong _nextUnmappedPage = PageCount;

    public IReadOnlyList<UserAccess> Accesses => _accesses;

    /// <summary>Every byte address the driver wrote to (whether or not the value changed), in order of first write.</summary>
    public IReadOnlyList<ulong> WrittenBytes => _written;

    /// <summary>
    /// A fresh variable of <paramref name="size"/> bytes at an address in its own page (never reused), holding
    /// <paramref name="initial"/> (canary bytes past its end), followed by <paramref name="slack"/> canary bytes in
    /// the same page; the rest of the page is canary too. A variable too large for one page gets consecutive pages.
    /// </summary>
    public ulong Allocate(int size, ReadOnlySpan<byte> initial = default, UserProt prot = UserProt.ReadWrite, int slack = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegative(slack);
        if (initial.Length > size)
        {
            throw new ArgumentException("initial value longer than the variable", nameof(initial));
        }

        var need = (long)size + slack;
        ulong address;
        if (need + VariableOffset <= PageSize)
        {
            address = MapPages(1, prot) + VariableOffset;
        }
        else
        {
            address = MapPages((int)((need + PageSize - 1) / PageSize), prot);
        }

        if (!initial.IsEmpty)
        {
            Write(address, initial);
        }

        return address;
    }

    /// <summary>An address whose first <paramref name="validBytes"/> bytes end a mapped read-write page followed by an unmapped one.</summary>
    public ulong AllocateStraddling(int validBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validBytes, PageSize);
        var page = MapPages(1, UserProt.ReadWrite);
        _nextPage++; // the guard page after it is never mapped
        return page + PageSize - (ulong)validBytes;
    }

    /// <summary>An address in the user window that is not mapped and never will be.</summary>
    public ulong Unmapped()
    {
        if (_nextUnmappedPage - 1 < _nextPage)
        {
            throw new InvalidOperationException("user window exhausted");
        }

        _nextUnmappedPage--;
        return ((FirstPage + _nextUnmappedPage) << PageShift) + VariableOffset;
    }

    /// <summary>Whether the page holding <paramref name="address"/> is mapped with at least <paramref name="need"/>.</summary>
    public bool IsMapped(ulong address, UserProt need) =>
        _pages.TryGetValue(address >> PageShift, out var page) && (page.Prot & need) == need;

    /// <summary>Grader read-back, whatever the protection; unmapped bytes read as 0.</summary>
    public byte[] Read(ulong address, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var result = new byte[size];
        for (var k = 0; k < size; k++)
        {
            var a = unchecked(address + (ulong)k);
            if (_pages.TryGetValue(a >> PageShift, out var page))
            {
                result[k] = page.Get(a);
            }
        }

        return result;
    }

    /// <summary>Grader-side write, whatever the protection (not recorded).</summary>
    /// <exception cref="InvalidOperationException">A byte is not mapped: a grader bug.</exception>
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        for (var k = 0; k < data.Length; k++)
        {
            var a = unchecked(address + (ulong)k);
            if (!_pages.TryGetValue(a >> PageShift, out var page))
            {
                throw new InvalidOperationException($"grader write to unmapped user address 0x{a:x}");
            }

            page.Set(a, data[k]);
        }
    }

    /// <summary>Driver-side copy_to_user (recorded). Copies the valid prefix; returns bytes not copied.</summary>
    public ulong CopyTo(ulong to, ReadOnlySpan<byte> data, Api api)
    {
        var copied = 0;
        if (AccessOk(to, data.Length))
        {
            for (; copied < data.Length; copied++)
            {
                var a = to + (ulong)copied;
                if (!_pages.TryGetValue(a >> PageShift, out var page) || (page.Prot & UserProt.Write) == 0)
                {
                    break;
                }

                page.Set(a, data[copied]);
                if (_writtenSet.Add(a))
                {
                    _written.Add(a);
                }
            }
        }

        var notCopied = (ulong)(data.Length - copied);
        _accesses.Add(new UserAccess(true, to, data.Length, notCopied, api));
        return notCopied;
    }

    /// <summary>Driver-side copy_from_user (recorded). Zero-fills what it could not copy; returns bytes not copied.</summary>
    public ulong CopyFrom(Span<byte> into, ulong from, Api api)
    {
        var copied = 0;
        if (AccessOk(from, into.Length))
        {
            for (; copied < into.Length; copied++)
            {
                var a = from + (ulong)copied;
                if (!_pages.TryGetValue(a >> PageShift, out var page) || (page.Prot & UserProt.Read) == 0)
                {
                    break;
                }

                into[copied] = page.Get(a);
            }
        }

        into[copied..].Clear();
        var notCopied = (ulong)(into.Length - copied);
        _accesses.Add(new UserAccess(false, from, into.Length, notCopied, api));
        return notCopied;
    }

    // Linux's access_ok: the whole range must lie below the kernel half, without wrapping; else nothing is copied.
    private static bool AccessOk(ulong address, int size) =>
        size == 0 || (address <= Layout.KernelHalf && (ulong)size <= Layout.KernelHalf - address);

    private ulong MapPages(int count, UserProt prot)
    {
        if (_nextPage + (ulong)count > _nextUnmappedPage)
        {
            throw new InvalidOperationException("user window exhausted");
        }

        var first = FirstPage + _nextPage;
        for (var k = 0UL; k < (ulong)count; k++)
        {
            _pages.Add(first + k, new Page(prot));
        }

        if ((prot & UserProt.Write) != 0)
        {
            // Pages come in address order, so a new writable page extends the last run or starts one.
            var start = first << PageShift;
            var length = (ulong)count << PageShift;
            if (_writable.Count > 0 && _writable[^1].Start + _writable[^1].Length == start)
            {
                _writable[^1] = (_writable[^1].Start, _writable[^1].Length + length);
            }
            else
            {
                _writable.Add((start, length));
            }
        }

        _nextPage += (ulong)count;
        return first << PageShift;
    }

    /// <summary>The writable pages as runs of addresses, in address order: a host may complete a copy_to_user
    /// that lies inside one run without asking (it cannot fail there), and tell us afterwards.</summary>
    public IReadOnlyList<(ulong Start, ulong Length)> WritableRuns => _writable;

    private sealed class Page(UserProt prot)
    {
        private byte[]? _data;

        public UserProt Prot { get; } = prot;

        public byte Get(ulong address) => _data is null ? Canary : _data[(int)(address & (PageSize - 1))];

        public void Set(ulong address, byte value)
        {
            if (_data is null)
            {
                _data = new byte[PageSize];
                Array.Fill(_data, Canary);
            }

            _data[(int)(address & (PageSize - 1))] = value;
        }
    }
}
