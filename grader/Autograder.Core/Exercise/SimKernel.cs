using Autograder.Model;
using Autograder.Protocol;

namespace Autograder.Exercise;

// CONTRACT STUB (owner: exercise helper). Signatures are fixed; bodies to implement.

/// <summary>What a fresh kernel looks like: where the device sits and which faults to inject.</summary>
public sealed record KernelOptions
{
    public ulong DeviceBase { get; init; } = 0xfebf1000;
    public ulong DeviceSize { get; init; } = 4096;
    /// <summary>Fault injection: ioremap (and pci_iomap) return NULL.</summary>
    public bool FailIoremap { get; init; }
    /// <summary>Fault injection: these majors are already registered by someone else (-EBUSY).</summary>
    public IReadOnlyList<uint> TakenMajors { get; init; } = [];
    /// <summary>printk at KERN_DEBUG (pr_debug) is dropped, as in a default kernel.</summary>
    public bool DropDebug { get; init; } = true;
}

/// <summary>A live ioremap mapping.</summary>
public sealed record IoMapping(ulong Va, ulong Phys, ulong Size, Api Api);

/// <summary>A registered character device.</summary>
public sealed record ChrdevRegistration(uint Major, string Name, bool HasIoctl);

/// <summary>One dmesg line: level 0-7 (4 = default warning level when none given), text without the level prefix.</summary>
public sealed record DmesgLine(int Level, string Text);

/// <summary>
/// The simulated kernel for one exercise of a driver: physical bus with the reference device, ioremap
/// mappings, user address space, chrdev table, dmesg, trace. Fresh per driver instance. Single-threaded:
/// it is driven by one host channel at a time.
/// Kernel calls never throw for a driver's mistake: an oops is recorded (<see cref="Oops"/>) and the
/// call returns a neutral value; the caller checks <see cref="Oops"/> and abandons the command.
/// </summary>
public sealed class SimKernel
{
    public SimKernel(KernelOptions options) => throw new NotImplementedException();

    public KernelOptions Options => throw new NotImplementedException();
    public RngDevice Device => throw new NotImplementedException();
    public UserMemory User => throw new NotImplementedException();
    /// <summary>Everything observed, in order.</summary>
    public IReadOnlyList<TraceEvent> Trace => throw new NotImplementedException();
    public IReadOnlyList<DmesgLine> Dmesg => throw new NotImplementedException();
    public IReadOnlyList<IoMapping> Mappings => throw new NotImplementedException();
    public IReadOnlyCollection<ChrdevRegistration> Chrdevs => throw new NotImplementedException();
    /// <summary>Every ioremap ever made (including unmapped ones), for the load check.</summary>
    public IReadOnlyList<IoMapping> MappingHistory => throw new NotImplementedException();
    /// <summary>The first oops, or null.</summary>
    public string? Oops => throw new NotImplementedException();

    /// <summary>Records a grader-issued event (ioctl call, return) in the trace.</summary>
    public void Record(TraceEvent e) => throw new NotImplementedException();
    /// <summary>Records an oops (keeps the first) and a trace event.</summary>
    public void RaiseOops(string message) => throw new NotImplementedException();

    // Kernel calls, as forwarded by a host.
    public ulong Ioremap(ulong phys, ulong size, Api api) => throw new NotImplementedException();
    public void Iounmap(ulong va, Api api) => throw new NotImplementedException();
    public ulong MmioRead(ulong va, int size, Api api) => throw new NotImplementedException();
    public void MmioWrite(ulong va, int size, ulong value, Api api) => throw new NotImplementedException();
    /// <summary>Returns bytes not copied (Linux semantics: copies the valid prefix).</summary>
    public ulong CopyToUser(ulong to, ReadOnlySpan<byte> data, Api api) => throw new NotImplementedException();
    /// <summary>Fills <paramref name="into"/>; zero-fills what could not be copied; returns bytes not copied.</summary>
    public ulong CopyFromUser(Span<byte> into, ulong from, Api api) => throw new NotImplementedException();
    public long RegisterChrdev(uint major, string name, bool hasIoctl) => throw new NotImplementedException();
    public void UnregisterChrdev(uint major, string name) => throw new NotImplementedException();
    /// <summary>Takes printk's raw text (KERN_* prefix "\u0001" + digit or 'c', pieces without newline joined as KERN_CONT).</summary>
    public void Printk(string raw) => throw new NotImplementedException();
    public ulong PciGetDevice(uint vendor, uint device) => throw new NotImplementedException();
    public (ulong Start, ulong Length) PciResource(ulong handle, int bar) => throw new NotImplementedException();
    public ulong PciRegisterDriver(string name, IReadOnlyList<(uint Vendor, uint Device)> ids) => throw new NotImplementedException();
    public void PciUnregisterDriver(string name) => throw new NotImplementedException();
    public void Note(string text) => throw new NotImplementedException();
}
