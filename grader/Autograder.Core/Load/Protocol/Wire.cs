using System.Buffers.Binary;
using System.Text;

namespace Autograder.Protocol;

// The grader <-> driver-host wire protocol. One file, linked into the grader and the C# worker;
// grader/native/host/wire.h mirrors it for the C host. Keep all three in step.
//
// Frame: u32 little-endian length of (type + payload), u8 type, payload. Integers are little-endian.
// Strings are u32 byte length + UTF-8. Byte blobs are u32 length + bytes.
//
// Flow: the host starts and sends Ready. The grader sends one command at a time and waits for its
// Result. While a command runs, the driver calls into the kernel: each kernel call is a request
// (types 0x40..) answered by one Reply from the grader, which holds every piece of state (device,
// user memory, mappings, chrdev table, dmesg). The host only forwards; the grader judges. The two
// posted calls (0x51, 0x52) are the exception: their outcome is known, so they get no Reply.

/// <summary>Message types. Commands flow grader -> host, kernel calls host -> grader.</summary>
public enum Msg : byte
{
    // host -> grader, once at start: u32 protocol version, string host kind ("csharp" | "c" | "c-fork-server").
    Ready = 0x01,

    // grader -> host commands; each answered by Result.
    LoadAssembly = 0x10, // blob: the compiled driver assembly (C# host only)
    Begin = 0x11,        // u32 user, u32 total CPU ms of each driver call (CheckBudget): a fresh driver instance (C#: a new
                         // load context). Not sent to a C host: its process is the instance (it answers Ok all the same)
    Init = 0x12,         // run module_init
    Ioctl = 0x13,        // u32 major, u32 cmd, u64 arg, u32 n, n x (u64 start, u64 length): call that registration's
                         // unlocked_ioctl; the runs are the user's writable pages (see CopyToUserPosted)
    Exit = 0x14,         // run module_exit
    End = 0x15,          // drop the instance (a C host's channel is closed instead, which ends it)
    // C fork server only (host.c --fork-server), between instances: u32 CPU seconds of the new child, u32 user and
    // u32 total CPU ms of each of its driver calls (the host ends a call past them with SIGVTALRM or SIGPROF, which
    // the grader reads as the call's timeout).
    // Answered by Forked; the grader opens the child's pipes through /proc/<server>/fd and says Attached;
    // the child's frames (Ready first) come on those pipes; ChildEnded on the server's channel once it is
    // reaped. The server ignores any other command between children.
    Fork = 0x16,
    Attached = 0x17,
    // C# compile service only (Autograder.Worker --compile; no driver code ever runs there): u8 flags (bit 0: the
    // allowlist applies), u32 n, n x (string path, string text). Answered by up to MaxDiagnostics Diagnostic frames,
    // then one Compiled.
    Compile = 0x18,

    // host -> grader: the outcome of a command.
    // u8 ResultStatus, i64 value, string message.
    Result = 0x20,

    // fork server -> grader (on the server's channel, which no child can write).
    Forked = 0x21,       // u32 pid of the child (0 = fork failed), string problem, u32 server fd writing to the child, u32 server fd reading from it
    ChildEnded = 0x22,   // u32 pid, u8 how (0 exited, 1 killed by a signal), u32 exit code or signal, string note

    // compile service -> grader, the answer to Compile.
    Diagnostic = 0x23,   // string severity, string file, u32 line, u32 column, string message, string code
    Compiled = 0x24,     // u8 success, string failure (empty: none), blob assembly (empty unless success)

    // host -> grader kernel calls; each answered by Reply.
    Ioremap = 0x40,          // u64 phys, u64 size, u8 Api -> a = virtual address (0 = NULL)
    Iounmap = 0x41,          // u64 va, u8 Api
    MmioRead = 0x42,         // u64 va, u8 size (1,2,4,8), u8 Api -> a = value
    MmioWrite = 0x43,        // u64 va, u8 size, u64 value, u8 Api
    CopyToUser = 0x44,       // u64 user address, u8 Api, blob bytes -> a = bytes not copied
    CopyFromUser = 0x45,     // u64 user address, u32 length, u8 Api -> a = bytes not copied, blob (length bytes, zero-filled past the fault)
    RegisterChrdev = 0x46,   // u32 major, u8 has unlocked_ioctl, string name -> a = return value (as i64)
    UnregisterChrdev = 0x47, // u32 major, string name
    Printk = 0x48,           // string raw text as formatted (level prefix "\x01" + digit kept) -> a = 1 when dmesg is full: send no more
    Oops = 0x49,             // u8 OopsKind, u64 address, string message; no reply: the host abandons the command
    PciGetDevice = 0x4A,     // u32 vendor, u32 device -> a = device handle (0 = none)
    PciResource = 0x4B,      // u64 handle, u32 bar -> a = start, b = length
    PciRegisterDriver = 0x4C,// string name, u32 count, count x (u32 vendor, u32 device) -> a = handle of the device to probe (0 = none)
    PciUnregisterDriver = 0x4D, // string name
    Note = 0x4E,             // string: a host-side event worth a trace line (probe called, ...)
    CdevAdd = 0x4F,          // u32 major, u32 minor, u32 count, u8 has unlocked_ioctl, string name -> a = return value (as i64)
    CdevDel = 0x50,          // u32 major, u32 minor, u32 count

    // host -> grader kernel calls that cannot fail or oops, so nothing waits for a Reply (none is sent): a
    // round trip saved. A host posts one only when it knows the outcome (and at most MaxPostedPerCommand a
    // command); the grader checks it did.
    CopyToUserPosted = 0x51, // as CopyToUser, inside one writable run the Ioctl named: all bytes copied
    MmioWritePosted = 0x52,  // as MmioWrite, inside a live mapping ioremap returned (va .. va + size)

    // grader -> host: the answer to a kernel call. u8 ReplyStatus, u64 a, u64 b, blob.
    Reply = 0x80,
}

/// <summary>How a host command ended.</summary>
public enum ResultStatus : byte
{
    Ok = 0,
    /// <summary>The driver threw or faulted; the message says what (an oops of the submission).</summary>
    DriverFault = 1,
    /// <summary>The driver lacks what the command needs (no module_init, no such registration).</summary>
    Missing = 2,
    /// <summary>The host itself failed (our fault): bad command, load failure of our own.</summary>
    HostError = 3,
    /// <summary>The submission's assembly could not be loaded (bad image, missing entry points).</summary>
    LoadError = 4,
    /// <summary>Begin: earlier instances' statics fill half the worker's heap; the grader replaces the worker.</summary>
    Full = 5,
}

/// <summary>How the grader answered a kernel call.</summary>
public enum ReplyStatus : byte
{
    Ok = 0,
    /// <summary>The call oopsed the kernel (bad MMIO address, ...): the host must abandon the command at once.</summary>
    Oops = 1,
}

/// <summary>Kinds of oops a host reports itself.</summary>
public enum OopsKind : byte
{
    /// <summary>A fault the host saw (SIGSEGV, a managed NullReferenceException, ...).</summary>
    Fault = 0,
    /// <summary>The driver dereferenced a user pointer without copy_*_user (C: fault in the user window).</summary>
    UserDeref = 1,
    /// <summary>The driver dereferenced an ioremap'd pointer instead of ioread*/readl.</summary>
    IoDeref = 2,
    /// <summary>BUG()/panic()/abort() in the driver.</summary>
    Bug = 3,
}

/// <summary>Which kernel API made an access: recorded in traces and judged by checks.</summary>
public enum Api : byte
{
    Unknown = 0,
    Ioread8 = 1, Ioread16 = 2, Ioread32 = 3, Iowrite8 = 4, Iowrite16 = 5, Iowrite32 = 6,
    Readb = 7, Readw = 8, Readl = 9, Writeb = 10, Writew = 11, Writel = 12, Readq = 13, Writeq = 14,
    Ioremap = 20, PciIomap = 21, PciIoremapBar = 22, Iounmap = 23, PciIounmap = 24,
    CopyToUser = 30, CopyFromUser = 31, PutUser = 32, GetUser = 33,
    /// <summary>A direct dereference (only ever reported as an oops).</summary>
    Deref = 40,
}

/// <summary>Address layout shared by the grader's model and both hosts.</summary>
public static class Layout
{
    public const int ProtocolVersion = 2;
    /// <summary>User buffers handed to the driver live here. Hosts reserve it with no access, so a direct dereference faults.</summary>
    public const ulong UserWindowBase = 0x0000_2000_0000_0000;
    public const ulong UserWindowSize = 0x0100_0000; // 16 MiB
    /// <summary>ioremap hands out addresses here; hosts reserve it with no access, so *(u32*)devmem faults.</summary>
    public const ulong IoWindowBase = 0x0000_3000_0000_0000;
    public const ulong IoWindowSize = 0x1000_0000; // 256 MiB
    /// <summary>Addresses at or above this are the kernel half: copy_*_user refuses them.</summary>
    public const ulong KernelHalf = 0xffff_8000_0000_0000;
    public const int MaxFrame = 1 << 20;
    /// <summary>Writable user runs an Ioctl names at most (more: it names none, and every copy asks).</summary>
    public const int MaxUserRuns = 16;
    /// <summary>Posted calls one command may make; later ones ask. The grader refuses more (a flood of frames
    /// nobody answers would be limited by nothing else).</summary>
    public const int MaxPostedPerCommand = 256;
}

/// <summary>Little-endian frame builder; reusable, not thread-safe.</summary>
public sealed class FrameWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public FrameWriter Start(Msg type)
    {
        _length = 4;
        return U8((byte)type);
    }

    public FrameWriter U8(byte v) { Ensure(1); _buffer[_length++] = v; return this; }
    public FrameWriter U32(uint v) { Ensure(4); BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), v); _length += 4; return this; }
    public FrameWriter U64(ulong v) { Ensure(8); BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), v); _length += 8; return this; }
    public FrameWriter I64(long v) => U64((ulong)v);

    public FrameWriter Blob(ReadOnlySpan<byte> bytes)
    {
        U32((uint)bytes.Length);
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
        return this;
    }

    public FrameWriter Str(string s) => Blob(Encoding.UTF8.GetBytes(s));

    /// <summary>An Ioctl's writable user runs: u32 n, n x (u64 start, u64 length). More than
    /// <see cref="Layout.MaxUserRuns"/> (unusual) are not worth their bytes: none are named, and the host asks
    /// for every copy.</summary>
    public FrameWriter UserRuns(IReadOnlyList<(ulong Start, ulong Length)> runs)
    {
        var n = runs.Count <= Layout.MaxUserRuns ? runs.Count : 0;
        U32((uint)n);
        for (var i = 0; i < n; i++)
        {
            U64(runs[i].Start).U64(runs[i].Length);
        }

        return this;
    }

    /// <summary>Writes the frame and flushes.</summary>
    public void SendTo(Stream stream)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)(_length - 4));
        stream.Write(_buffer, 0, _length);
        stream.Flush();
    }

    private void Ensure(int n)
    {
        if (_length + n > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        }
    }
}

/// <summary>
/// Reads frames from one stream; a frame's payload is valid until the next Read. Reads ahead (whatever the
/// pipe holds, in one system call), so one reader must serve its stream for good. Not thread-safe.
/// </summary>
public sealed class FrameReader
{
    private byte[] _buffer = new byte[4096];
    // Buffered bytes are [_head, _tail); the current frame starts at _head (its length, then its type) and
    // ends at _end, where the next one starts; _pos reads its payload.
    private int _head;
    private int _tail;
    private int _end;
    private int _pos;

    public Msg Type { get; private set; }

    /// <summary>Reads the next frame; false on a clean end of stream.</summary>
    /// <exception cref="InvalidDataException">A truncated or oversized frame.</exception>
    public bool Read(Stream stream)
    {
        _head = _end;
        if (_head == _tail)
        {
            _head = _tail = _end = 0;
        }

        if (!Fill(stream, 4, allowEof: true))
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_head));
        if (length < 1 || length > Layout.MaxFrame)
        {
            throw new InvalidDataException($"bad frame length {length}");
        }

        Fill(stream, 4 + (int)length, allowEof: false);
        _pos = _head + 4;
        _end = _pos + (int)length;
        Type = (Msg)_buffer[_pos++];
        return true;
    }

    public byte U8() { Need(1); return _buffer[_pos++]; }
    public uint U32() { Need(4); var v = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_pos)); _pos += 4; return v; }
    public ulong U64() { Need(8); var v = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_pos)); _pos += 8; return v; }
    public long I64() => (long)U64();

    public ReadOnlySpan<byte> Blob()
    {
        var n = (int)U32();
        Need(n);
        var span = _buffer.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    public string Str() => Encoding.UTF8.GetString(Blob());

    private void Need(int n)
    {
        if (n < 0 || _pos + n > _end)
        {
            throw new InvalidDataException($"frame {Type} too short");
        }
    }

    /// <summary>Makes <paramref name="count"/> bytes from <c>_head</c> available, reading as much as the stream gives.</summary>
    private bool Fill(Stream stream, int count, bool allowEof)
    {
        if (_tail - _head >= count)
        {
            return true;
        }

        if (_head + count > _buffer.Length)
        {
            // Move the partial frame to the front, growing the buffer if the frame is larger than it.
            var target = count > _buffer.Length ? new byte[Math.Max(count, _buffer.Length * 2)] : _buffer;
            Buffer.BlockCopy(_buffer, _head, target, 0, _tail - _head);
            _buffer = target;
            _tail -= _head;
            _end = 0;
            _head = 0;
        }

        while (_tail - _head < count)
        {
            var n = stream.Read(_buffer, _tail, _buffer.Length - _tail);
            if (n == 0)
            {
                if (allowEof && _tail == _head)
                {
                    return false;
                }

                throw new EndOfStreamException("channel closed mid-frame");
            }

            _tail += n;
        }

        return true;
    }
}
