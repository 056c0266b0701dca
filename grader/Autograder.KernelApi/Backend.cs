namespace Autograder.KernelApi;

// The kernel API holds no kernel state: every call is forwarded to a backend, which in the worker
// sends it over the channel to the grader's simulated kernel. Tests plug in a fake.

/// <summary>Which kernel API made an access. Values mirror Autograder.Protocol.Api (a test keeps them in step).</summary>
internal enum ApiId : byte
{
    Unknown = 0,
    Ioread8 = 1, Ioread16 = 2, Ioread32 = 3, Iowrite8 = 4, Iowrite16 = 5, Iowrite32 = 6,
    Readb = 7, Readw = 8, Readl = 9, Writeb = 10, Writew = 11, Writel = 12, Readq = 13, Writeq = 14,
    Ioremap = 20, PciIomap = 21, PciIoremapBar = 22, Iounmap = 23, PciIounmap = 24,
    CopyToUser = 30, CopyFromUser = 31, PutUser = 32, GetUser = 33,
    Deref = 40,
}

/// <summary>Kinds of oops the API reports itself. Values mirror Autograder.Protocol.OopsKind.</summary>
internal enum OopsCode : byte
{
    Fault = 0,
    UserDeref = 1,
    IoDeref = 2,
    Bug = 3,
}

/// <summary>One method per kernel call of the wire protocol. Implementations may throw <see cref="KernelOopsException"/>.</summary>
internal interface IKernelBackend
{
    ulong Ioremap(ulong phys, ulong size, ApiId api);
    void Iounmap(ulong va, ApiId api);
    ulong MmioRead(ulong va, int size, ApiId api);
    void MmioWrite(ulong va, int size, ulong value, ApiId api);
    /// <summary>Returns the number of bytes not copied.</summary>
    ulong CopyToUser(ulong to, ReadOnlySpan<byte> data, ApiId api);
    /// <summary>Fills <paramref name="into"/> (zero past a fault); returns the number of bytes not copied.</summary>
    ulong CopyFromUser(Span<byte> into, ulong from, ApiId api);
    /// <summary>The kernel's return value; the backend keeps <paramref name="fops"/> under the major it was granted.</summary>
    long RegisterChrdev(uint major, string name, Kernel.file_operations fops);
    void UnregisterChrdev(uint major, string name);
    void Printk(string raw);
    /// <summary>True once the grader's dmesg is full (a log flood): printk then neither formats nor sends.</summary>
    bool DmesgFull => false;
    /// <summary>Reports an oops the API detected itself; never returns normally.</summary>
    KernelOopsException Oops(OopsCode kind, ulong address, string message);
    ulong PciGetDevice(uint vendor, uint device);
    (ulong Start, ulong Length) PciResource(ulong handle, uint bar);
    ulong PciRegisterDriver(string name, IReadOnlyList<(uint Vendor, uint Device)> ids);
    void PciUnregisterDriver(string name);
    void Note(string text);
}

/// <summary>
/// The kernel oopsed during the current command: the grader has already recorded it. Thrown so the
/// driver's code unwinds; a driver that catches it gains nothing, the command is judged as oopsed.
/// </summary>
internal sealed class KernelOopsException : Exception
{
    public KernelOopsException(string message) : base(message)
    {
    }
}

/// <summary>The backend before the worker installs one: the API only runs inside the grader.</summary>
internal sealed class NoBackend : IKernelBackend
{
    public static readonly NoBackend Instance = new();

    private static InvalidOperationException Fail() =>
        new("no kernel: Autograder.KernelApi only runs inside the grader's worker");

    public ulong Ioremap(ulong phys, ulong size, ApiId api) => throw Fail();
    public void Iounmap(ulong va, ApiId api) => throw Fail();
    public ulong MmioRead(ulong va, int size, ApiId api) => throw Fail();
    public void MmioWrite(ulong va, int size, ulong value, ApiId api) => throw Fail();
    public ulong CopyToUser(ulong to, ReadOnlySpan<byte> data, ApiId api) => throw Fail();
    public ulong CopyFromUser(Span<byte> into, ulong from, ApiId api) => throw Fail();
    public long RegisterChrdev(uint major, string name, Kernel.file_operations fops) => throw Fail();
    public void UnregisterChrdev(uint major, string name) => throw Fail();
    public void Printk(string raw) => throw Fail();
    public KernelOopsException Oops(OopsCode kind, ulong address, string message) => throw Fail();
    public ulong PciGetDevice(uint vendor, uint device) => throw Fail();
    public (ulong Start, ulong Length) PciResource(ulong handle, uint bar) => throw Fail();
    public ulong PciRegisterDriver(string name, IReadOnlyList<(uint Vendor, uint Device)> ids) => throw Fail();
    public void PciUnregisterDriver(string name) => throw Fail();
    public void Note(string text) => throw Fail();
}
