using System.Text;
using Autograder.KernelApi;
using Autograder.Protocol;

namespace Autograder.Worker;

/// <summary>
/// The kernel behind <see cref="Kernel"/> in the worker: each call becomes one request frame and waits for
/// the grader's Reply. Holds no kernel state except the chrdev registrations (so an Ioctl command can find
/// the handler). Only the thread running the current command may call; anything else (a finalizer, a
/// thread the allowlist missed) is refused, so the channel can never interleave.
/// </summary>
internal sealed class ChannelBackend(Stream input, Stream output) : IKernelBackend
{
    private const int MaxText = 4096;

    private readonly FrameReader _reader = new();
    private readonly FrameWriter _writer = new();
    private readonly Dictionary<uint, Kernel.file_operations> _chrdevs = [];
    private int _commandThread = -1;
    private string? _oops;
    private bool _dmesgFull;
    // What makes a call certain to succeed, so it is posted (no Reply): see Msg.CopyToUserPosted.
    private readonly List<(ulong Va, ulong Size)> _mappings = [];
    private readonly List<(ulong Start, ulong Length)> _runs = [];
    private int _posted;

    /// <summary>The reader the host loop uses for commands too: one reader per channel.</summary>
    public FrameReader Reader => _reader;

    public FrameWriter Writer => _writer;

    public Stream Input => input;

    public Stream Output => output;

    public void BeginCommand()
    {
        _oops = null;
        _posted = 0;
        _commandThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>Ends the command; returns the oops text when the kernel oopsed during it.</summary>
    public string? EndCommand()
    {
        _commandThread = -1;
        return _oops;
    }

    public Kernel.file_operations? FindChrdev(uint major) => _chrdevs.GetValueOrDefault(major);

    /// <summary>A fresh driver instance: no registrations or mappings, and a fresh kernel whose dmesg is not full.</summary>
    public void ClearRegistrations()
    {
        _chrdevs.Clear();
        _dmesgFull = false;
        _mappings.Clear();
        _runs.Clear();
    }

    /// <summary>Reads the user's writable page runs from the Ioctl frame (see <see cref="Msg.CopyToUserPosted"/>);
    /// more than <see cref="Layout.MaxUserRuns"/>: none known, every copy asks.</summary>
    public void ReadUserRuns(FrameReader reader)
    {
        _runs.Clear();
        var count = reader.U32();
        for (var i = 0; i < count && i < Layout.MaxUserRuns; i++)
        {
            _runs.Add((reader.U64(), reader.U64()));
        }

        if (count > Layout.MaxUserRuns)
        {
            _runs.Clear();
        }
    }

    public ulong Ioremap(ulong phys, ulong size, ApiId api)
    {
        var va = Call(Start(Msg.Ioremap).U64(phys).U64(size).U8((byte)api)).A;
        if (va != 0)
        {
            _mappings.Add((va, size));
        }

        return va;
    }

    public void Iounmap(ulong va, ApiId api)
    {
        // Whatever the grader makes of it, no write through this address is posted again.
        _mappings.RemoveAll(m => m.Va == va);
        Call(Start(Msg.Iounmap).U64(va).U8((byte)api));
    }

    public ulong MmioRead(ulong va, int size, ApiId api) =>
        Call(Start(Msg.MmioRead).U64(va).U8((byte)size).U8((byte)api)).A;

    public void MmioWrite(ulong va, int size, ulong value, ApiId api)
    {
        // Inside a live mapping ioremap returned, a write of a valid size cannot oops: posted.
        if (size is 1 or 2 or 4 or 8 && Within(_mappings, va, (ulong)size) && MayPost())
        {
            Start(Msg.MmioWritePosted).U64(va).U8((byte)size).U64(value).U8((byte)api).SendTo(output);
            return;
        }

        Call(Start(Msg.MmioWrite).U64(va).U8((byte)size).U64(value).U8((byte)api));
    }

    public ulong CopyToUser(ulong to, ReadOnlySpan<byte> data, ApiId api)
    {
        // Wholly inside one of the user's writable runs, nothing can fail: posted.
        if (!data.IsEmpty && Within(_runs, to, (ulong)data.Length) && MayPost())
        {
            Start(Msg.CopyToUserPosted).U64(to).U8((byte)api).Blob(data).SendTo(output);
            return 0;
        }

        return Call(Start(Msg.CopyToUser).U64(to).U8((byte)api).Blob(data)).A;
    }

    private bool MayPost()
    {
        if (_posted >= Layout.MaxPostedPerCommand)
        {
            return false;
        }

        _posted++;
        return true;
    }

    private static bool Within(List<(ulong Start, ulong Length)> ranges, ulong address, ulong size)
    {
        foreach (var (start, length) in ranges)
        {
            if (address >= start && address - start <= length && size <= length - (address - start))
            {
                return true;
            }
        }

        return false;
    }

    public ulong CopyFromUser(Span<byte> into, ulong from, ApiId api)
    {
        var notCopied = Call(Start(Msg.CopyFromUser).U64(from).U32((uint)into.Length).U8((byte)api)).A;
        var blob = _reader.Blob();
        into.Clear();
        blob[..Math.Min(blob.Length, into.Length)].CopyTo(into);
        return notCopied;
    }

    public long RegisterChrdev(uint major, string name, Kernel.file_operations fops)
    {
        var ret = (long)Call(Start(Msg.RegisterChrdev).U32(major).U8(fops.unlocked_ioctl is null ? (byte)0 : (byte)1).Str(Cap(name))).A;
        // The kernel grants a fixed major with 0 and a dynamic one (major 0) by returning it.
        if (major != 0 && ret == 0)
        {
            _chrdevs[major] = fops;
        }
        else if (major == 0 && ret > 0)
        {
            _chrdevs[(uint)ret] = fops;
        }

        return ret;
    }

    public void UnregisterChrdev(uint major, string name)
    {
        Call(Start(Msg.UnregisterChrdev).U32(major).Str(Cap(name)));
        _chrdevs.Remove(major);
    }

    public bool DmesgFull => _dmesgFull;

    public void Printk(string raw)
    {
        // Once the grader says its dmesg is full, a log flood costs no more round trips.
        if (!_dmesgFull)
        {
            _dmesgFull = Call(Start(Msg.Printk).Str(raw)).A != 0;
        }
    }


    public KernelOopsException Oops(OopsCode kind, ulong address, string message)
    {
        Enter();
        _oops = message;
        _writer.Start(Msg.Oops).U8((byte)kind).U64(address).Str(Cap(message)).SendTo(output);
        throw new KernelOopsException(message);
    }

    public ulong PciGetDevice(uint vendor, uint device) => Call(Start(Msg.PciGetDevice).U32(vendor).U32(device)).A;

    public (ulong Start, ulong Length) PciResource(ulong handle, uint bar)
    {
        var reply = Call(Start(Msg.PciResource).U64(handle).U32(bar));
        return (reply.A, reply.B);
    }

    public ulong PciRegisterDriver(string name, IReadOnlyList<(uint Vendor, uint Device)> ids)
    {
        var w = Start(Msg.PciRegisterDriver).Str(Cap(name)).U32((uint)Math.Min(ids.Count, 256));
        foreach (var (vendor, device) in ids.Take(256))
        {
            w.U32(vendor).U32(device);
        }

        return Call(w).A;
    }

    public void PciUnregisterDriver(string name) => Call(Start(Msg.PciUnregisterDriver).Str(Cap(name)));

    public void Note(string text) => Call(Start(Msg.Note).Str(Cap(text)));

    private FrameWriter Start(Msg type)
    {
        Enter();
        return _writer.Start(type);
    }

    private void Enter()
    {
        if (_commandThread != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException("kernel call outside the driver's own call (from another thread or a finalizer)");
        }

        // After an oops the command is over: a driver that caught the exception cannot go on.
        if (_oops is not null)
        {
            throw new KernelOopsException(_oops);
        }
    }

    /// <summary>Sends the request and reads its Reply; the reply's blob is left unread for the caller.</summary>
    private (ulong A, ulong B) Call(FrameWriter request)
    {
        request.SendTo(output);
        bool got;
        try
        {
            got = _reader.Read(input);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw Broken($"channel failed while waiting for a reply: {e.Message}");
        }

        if (!got)
        {
            throw Broken("the grader closed the channel during a kernel call");
        }

        if (_reader.Type != Msg.Reply)
        {
            throw Broken($"expected Reply, got {_reader.Type}");
        }

        var status = (ReplyStatus)_reader.U8();
        var a = _reader.U64();
        var b = _reader.U64();
        if (status == ReplyStatus.Oops)
        {
            var text = Encoding.UTF8.GetString(_reader.Blob());
            _oops = text.Length > 0 ? text : "kernel oops";
            throw new KernelOopsException(_oops);
        }

        return (a, b);
    }

    // A broken channel ends the worker at once: the driver must not get a chance to catch it and go on.
    private static Exception Broken(string why)
    {
        try
        {
            Console.Error.WriteLine($"Autograder.Worker: {why}");
        }
        finally
        {
            Environment.Exit(ExitCodes.ProtocolError);
        }

        return new ProtocolException(why);
    }

    private static string Cap(string s) => s.Length <= MaxText ? s : s[..MaxText];
}
