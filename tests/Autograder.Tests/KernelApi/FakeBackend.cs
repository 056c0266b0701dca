using Autograder.KernelApi;

namespace Autograder.Tests.KernelApi;

/// <summary>Records every kernel call and answers from simple scripted state.</summary>
internal sealed class FakeBackend : IKernelBackend
{
    public const ulong MappedVa = 0x0000_3000_0000_1000;

    public List<string> Calls { get; } = [];
    public List<string> Log { get; } = [];
    public List<(ulong Address, byte[] Bytes, ApiId Api)> ToUser { get; } = [];
    public List<(ulong Address, int Length, ApiId Api)> FromUser { get; } = [];
    public List<(ulong Va, int Size, ulong Value, ApiId Api)> Writes { get; } = [];
    public List<(ulong Va, int Size, ApiId Api)> Reads { get; } = [];
    public List<(OopsCode Kind, ulong Address, string Message)> Oopses { get; } = [];
    public Dictionary<uint, Kernel.file_operations> Chrdevs { get; } = [];

    public ulong IoremapAnswer { get; set; } = MappedVa;
    public ulong ReadAnswer { get; set; } = 1804289383;
    /// <summary>Bytes not copied that every copy reports.</summary>
    public ulong NotCopied { get; set; }
    public byte[] UserBytes { get; set; } = [42, 0, 0, 0, 0, 0, 0, 0];
    public ulong PciHandle { get; set; } = 7;

    public ulong Ioremap(ulong phys, ulong size, ApiId api)
    {
        Calls.Add($"ioremap {phys:x} {size} {api}");
        return IoremapAnswer;
    }

    public void Iounmap(ulong va, ApiId api) => Calls.Add($"iounmap {va:x} {api}");

    public ulong MmioRead(ulong va, int size, ApiId api)
    {
        Reads.Add((va, size, api));
        return ReadAnswer;
    }

    public void MmioWrite(ulong va, int size, ulong value, ApiId api) => Writes.Add((va, size, value, api));

    public ulong CopyToUser(ulong to, ReadOnlySpan<byte> data, ApiId api)
    {
        ToUser.Add((to, data.ToArray(), api));
        return Math.Min(NotCopied, (ulong)data.Length);
    }

    public ulong CopyFromUser(Span<byte> into, ulong from, ApiId api)
    {
        FromUser.Add((from, into.Length, api));
        into.Clear();
        var copied = into.Length - (int)Math.Min(NotCopied, (ulong)into.Length);
        UserBytes.AsSpan(0, Math.Min(copied, UserBytes.Length)).CopyTo(into);
        return (ulong)(into.Length - copied);
    }

    public long RegisterChrdev(uint major, string name, Kernel.file_operations fops)
    {
        Calls.Add($"register_chrdev {major} {name} ioctl={fops.unlocked_ioctl is not null}");
        Chrdevs[major] = fops;
        return 0;
    }

    public void UnregisterChrdev(uint major, string name)
    {
        Calls.Add($"unregister_chrdev {major} {name}");
        Chrdevs.Remove(major);
    }

    public void Printk(string raw) => Log.Add(raw);

    public KernelOopsException Oops(OopsCode kind, ulong address, string message)
    {
        Oopses.Add((kind, address, message));
        throw new KernelOopsException(message);
    }

    public ulong PciGetDevice(uint vendor, uint device)
    {
        Calls.Add($"pci_get_device {vendor:x4}:{device:x4}");
        return vendor == 0x1234 && device == 0xcafe ? PciHandle : 0;
    }

    public (ulong Start, ulong Length) PciResource(ulong handle, uint bar)
    {
        Calls.Add($"pci_resource {handle} {bar}");
        return handle == PciHandle && bar == 0 ? (0xfebf1000ul, 4096ul) : (0ul, 0ul);
    }

    public ulong PciRegisterDriver(string name, IReadOnlyList<(uint Vendor, uint Device)> ids)
    {
        Calls.Add($"pci_register_driver {name} [{string.Join(",", ids.Select(i => $"{i.Vendor:x4}:{i.Device:x4}"))}]");
        return ids.Any(i => i is (0x1234, 0xcafe)) ? PciHandle : 0;
    }

    public void PciUnregisterDriver(string name) => Calls.Add($"pci_unregister_driver {name}");

    public void Note(string text) => Calls.Add($"note {text}");
}

/// <summary>Installs a fresh <see cref="FakeBackend"/> for each test; the kernel API's backend is process-wide.</summary>
[NonParallelizable]
internal abstract class KernelApiTestBase
{
    protected FakeBackend Fake { get; private set; } = null!;

    [SetUp]
    public void InstallFake()
    {
        Fake = new FakeBackend();
        Kernel.Backend = Fake;
    }

    [TearDown]
    public void RemoveFake() => Kernel.Backend = null!;
}
