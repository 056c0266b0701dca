using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;
using Autograder.Model;
using Autograder.Protocol;

namespace Autograder.Exercise;

/// <summary>What a fresh kernel looks like: where the device sits and which faults to inject.</summary>
public sealed record KernelOptions
{
    public ulong DeviceBase { get; init; } = 0xfebf1000;
    public ulong DeviceSize { get; init; } = 4096;
    /// <summary>Fault injection: ioremap (and pci_iomap) return NULL.</summary>
    public bool FailIoremap { get; init; }
    /// <summary>Fault injection: these majors are already registered by someone else (-EBUSY).</summary>
    public IReadOnlyList<uint> TakenMajors { get; init; } = [];
    /// <summary>End of the guest's System RAM below 4 GiB (QEMU puts up to 2 GiB of a guest there): ioremap of
    /// [0, 0x9fc00) or [1 MiB, RamTop) is refused as on x86, which never remaps RAM.</summary>
    public ulong RamTop { get; init; } = 0x8000_0000;
}

/// <summary>A live ioremap mapping: <see cref="Va"/> is what ioremap returned, mapping [Phys, Phys+Size).</summary>
public sealed record IoMapping(ulong Va, ulong Phys, ulong Size, Api Api);

/// <summary>A registered character device.</summary>
public sealed record ChrdevRegistration(uint Major, string Name, bool HasIoctl);

/// <summary>One dmesg line: level 0-7 (4 = default warning level when none given), text without the level prefix.</summary>
public sealed record DmesgLine(int Level, string Text);

/// <summary>Counts taken by <see cref="SimKernel.Mark"/>, to slice what happened after it.</summary>
public readonly record struct KernelMark(int Trace, int DeviceAccesses, int UserAccesses, int Dmesg);

/// <summary>
/// The simulated kernel for one exercise of a driver: physical bus with the reference device, ioremap
/// mappings, user address space, chrdev table, dmesg, trace. Fresh per driver instance.
/// Single-threaded: it is driven by one host channel at a time, and nothing in it is synchronised.
/// Kernel calls never throw for a driver's mistake: an oops is recorded (<see cref="Oops"/>,
/// <see cref="OopsCount"/>) and the call returns a neutral value; the caller checks whether the call
/// oopsed (OopsCount grew) and abandons the command. After an oops, further calls are still answered
/// and recorded.
/// </summary>
public sealed class SimKernel
{
    public const long Ebusy = 16;
    public const long Einval = 22;
    /// <summary>Majors handed out for register_chrdev(0, ...), searched downwards as Linux does.</summary>
    public const uint DynamicMajorHigh = 254;
    public const uint DynamicMajorLow = 234;
    /// <summary>register_chrdev refuses majors at or above this (CHRDEV_MAJOR_MAX).</summary>
    public const uint MajorLimit = 512;
    /// <summary>The handle pci_get_device returns for the emulated device.</summary>
    public const ulong PciDeviceHandle = 1;
    public const uint PciAnyId = 0xffffffff;

    private const ulong PageSize = 4096;
    // Unmapped pages left after each mapping, so an access past a mapping's end never lands in the next one.
    private const ulong GuardPages = 1;
    private const int DefaultLevel = 4;

    private readonly List<TraceEvent> _trace = [];
    private readonly List<DmesgLine> _dmesg = [];
    private readonly List<Region> _regions = [];
    private readonly List<IoMapping> _live = [];
    private readonly List<IoMapping> _history = [];
    private readonly Dictionary<uint, ChrdevRegistration> _chrdevs = [];
    // cdev_add'ed majors (whether their fops have an unlocked_ioctl), and those of them whose registration
    // exists only because of the cdev (no region was reserved): cdev_del removes those entirely.
    private readonly Dictionary<uint, bool> _cdevs = [];
    private readonly HashSet<uint> _regionless = [];
    private readonly List<string> _oopses = [];
    private readonly ReadOnlyCollection<TraceEvent> _traceView;
    private readonly ReadOnlyCollection<DmesgLine> _dmesgView;
    private ulong _nextVa = Layout.IoWindowBase;
    // A printk piece without its newline yet: (level, text).
    private DmesgLine? _pending;

    public SimKernel(KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _traceView = _trace.AsReadOnly();
        _dmesgView = _dmesg.AsReadOnly();
    }

    public KernelOptions Options { get; }
    public RngDevice Device { get; } = new();
    public UserMemory User { get; } = new();

    /// <summary>
    /// Everything observed, in order; a printk piece still waiting for its newline is shown last. A live view
    /// (a snapshot while a piece is pending): copy it to keep it.
    /// </summary>
    public IReadOnlyList<TraceEvent> Trace => _pending is null ? _traceView : [.. _trace, DmesgEvent(_pending)];

    /// <summary>Every dmesg line, including a piece still waiting for its newline (last). A live view: copy it to keep it.</summary>
    public IReadOnlyList<DmesgLine> Dmesg => _pending is null ? _dmesgView : [.. _dmesg, _pending];

    /// <summary>Live mappings, in order of creation.</summary>
    public IReadOnlyList<IoMapping> Mappings => _live;
    public IReadOnlyCollection<ChrdevRegistration> Chrdevs => _chrdevs.Values;

    /// <summary>Every ioremap ever made (including unmapped ones), for the load check.</summary>
    public IReadOnlyList<IoMapping> MappingHistory => _history;

    /// <summary>The first oops, or null.</summary>
    public string? Oops => _oopses.Count == 0 ? null : _oopses[0];

    /// <summary>Every oops, in order; compare counts around a call to learn whether that call oopsed.</summary>
    public int OopsCount => _oopses.Count;

    /// <summary>The registration for <paramref name="major"/>, or null.</summary>
    public ChrdevRegistration? FindChrdev(uint major) => _chrdevs.GetValueOrDefault(major);

    /// <summary>Where the records stand now; pass it to the *Since methods to get what happened after.</summary>
    public KernelMark Mark() => new(_trace.Count, Device.Accesses.Count, User.Accesses.Count, _dmesg.Count);

    public IReadOnlyList<TraceEvent> TraceSince(KernelMark mark) => Slice(Trace, mark.Trace);
    public IReadOnlyList<MmioAccess> DeviceAccessesSince(KernelMark mark) => Slice(Device.Accesses, mark.DeviceAccesses);
    public IReadOnlyList<UserAccess> UserAccessesSince(KernelMark mark) => Slice(User.Accesses, mark.UserAccesses);
    public IReadOnlyList<DmesgLine> DmesgSince(KernelMark mark) => Slice(Dmesg, mark.Dmesg);

    /// <summary>Records a grader-issued event (ioctl call, return) in the trace.</summary>
    public void Record(TraceEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        _trace.Add(e);
    }

    /// <summary>Records an oops (keeps the first) and a trace event.</summary>
    public void RaiseOops(string message) => RaiseOops(message, null, null);

    /// <summary>Records an oops (keeps the first) and a trace event naming the faulting address and API, when known.</summary>
    public void RaiseOops(string message, ulong? address, Api? api)
    {
        ArgumentNullException.ThrowIfNull(message);
        _oopses.Add(message);
        _trace.Add(new TraceEvent { Kind = "oops", Text = message, Address = address, Api = api is null ? null : ApiName(api.Value) });
    }

    public void Note(string text) => _trace.Add(new TraceEvent { Kind = "note", Text = text });

    // ---- ioremap / MMIO ----

    public ulong Ioremap(ulong phys, ulong size, Api api)
    {
        var va = Map(phys, size, api, out var why);
        _trace.Add(new TraceEvent
        {
            Kind = "ioremap", Address = phys, Size = ClampSize(size), Va = va, Api = ApiName(api), Text = why,
        });
        return va;
    }

    public void Iounmap(ulong va, Api api)
    {
        if (va == 0)
        {
            _trace.Add(new TraceEvent { Kind = "iounmap", Va = 0, Api = ApiName(api), Text = "iounmap(NULL) does nothing" });
            return;
        }

        var region = _regions.Find(r => r.Mapping.Va == va);
        if (region is null || !region.Live)
        {
            var what = region is null ? "iounmap of an address that is not mapped" : "double iounmap";
            _trace.Add(new TraceEvent { Kind = "iounmap", Va = va, Api = ApiName(api) });
            Note($"{what}: 0x{va:x}");
            KernelLine(DefaultLevel, $"WARNING: {what} (0x{va:x})");
            return;
        }

        region.Live = false;
        _live.Remove(region.Mapping);
        _trace.Add(new TraceEvent
        {
            Kind = "iounmap", Address = region.Mapping.Phys, Size = ClampSize(region.Mapping.Size), Va = va, Api = ApiName(api),
        });
    }

    /// <summary>ioread*/read*: the value read, or 0 after an oops.</summary>
    public ulong MmioRead(ulong va, int size, Api api)
    {
        if (!Resolve(va, size, api, out var phys, out var mapping))
        {
            return 0;
        }

        ulong value;
        ulong? offset = null;
        if (OnDevice(phys, size))
        {
            offset = phys - Options.DeviceBase;
            value = Device.Read(offset.Value, size, api);
        }
        else
        {
            value = RngDevice.AllOnes(size);
        }

        TraceMmio("read", phys, offset, size, value, api, mapping);
        return value;
    }

    /// <summary>iowrite*/write*: reaches the device, or is dropped on an empty bus address.</summary>
    public void MmioWrite(ulong va, int size, ulong value, Api api)
    {
        if (!Resolve(va, size, api, out var phys, out var mapping))
        {
            return;
        }

        value &= RngDevice.AllOnes(size);
        ulong? offset = null;
        if (OnDevice(phys, size))
        {
            offset = phys - Options.DeviceBase;
            Device.Write(offset.Value, size, value, api);
        }

        TraceMmio("write", phys, offset, size, value, api, mapping);
    }

    // ---- user memory ----

    /// <summary>Returns bytes not copied (Linux semantics: copies the valid prefix).</summary>
    public ulong CopyToUser(ulong to, ReadOnlySpan<byte> data, Api api)
    {
        var notCopied = User.CopyTo(to, data, api);
        TraceUser("to_user", to, data.Length, notCopied, api);
        return notCopied;
    }

    /// <summary>Fills <paramref name="into"/>; zero-fills what could not be copied; returns bytes not copied.</summary>
    public ulong CopyFromUser(Span<byte> into, ulong from, Api api)
    {
        var notCopied = User.CopyFrom(into, from, api);
        TraceUser("from_user", from, into.Length, notCopied, api);
        return notCopied;
    }

    // ---- chrdev ----

    /// <summary>register_chrdev: 0 (fixed major), the major (dynamic, major 0), -EBUSY or -EINVAL.</summary>
    public long RegisterChrdev(uint major, string name, bool hasIoctl)
    {
        long ret;
        if (major == 0)
        {
            ret = -Ebusy;
            for (var m = DynamicMajorHigh; m >= DynamicMajorLow; m--)
            {
                if (IsFree(m))
                {
                    _chrdevs.Add(m, new ChrdevRegistration(m, name, hasIoctl));
                    ret = m;
                    break;
                }
            }
        }
        else if (major >= MajorLimit)
        {
            ret = -Einval;
        }
        else if (!IsFree(major))
        {
            ret = -Ebusy;
        }
        else
        {
            _chrdevs.Add(major, new ChrdevRegistration(major, name, hasIoctl));
            ret = 0;
        }

        _trace.Add(new TraceEvent { Kind = "chrdev", Op = "register", Major = major, Text = name, Ret = ret });
        return ret;
    }

    /// <summary>unregister_chrdev: removes the major whatever the name, as Linux does.</summary>
    public void UnregisterChrdev(uint major, string name)
    {
        var removed = _chrdevs.Remove(major, out var old);
        _trace.Add(new TraceEvent { Kind = "chrdev", Op = "unregister", Major = major, Text = name });
        if (!removed)
        {
            Note($"unregister_chrdev({major}, \"{name}\"): major {major} is not registered");
        }
        else if (old!.Name != name)
        {
            Note($"unregister_chrdev({major}, \"{name}\") removed \"{old.Name}\" (Linux ignores the name)");
        }

        if (removed && _cdevs.TryGetValue(major, out var cdevHasIoctl))
        {
            // The region is gone but the cdev stays mapped: the device node still reaches the driver's fops.
            _chrdevs.Add(major, new ChrdevRegistration(major, old!.Name, cdevHasIoctl));
            _regionless.Add(major);
            Note($"major {major} is unregistered while its cdev is still added: call cdev_del first");
        }
    }

    /// <summary>
    /// cdev_add: the cdev's fops become reachable through <paramref name="major"/>. Marks that major's
    /// registration (its region) as having an ioctl, or creates the registration when no region was reserved
    /// (Linux does not check). Returns 0, as cdev_add does.
    /// </summary>
    public long CdevAdd(uint major, uint minor, uint count, string name, bool hasIoctl)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (major == 0)
        {
            Note($"cdev_add on major 0 (minor {minor}): the device number was never allocated (alloc_chrdev_region/register_chrdev_region)");
        }

        if (_cdevs.TryGetValue(major, out var had))
        {
            Note($"cdev_add({major}:{minor}): major {major} already has a cdev added");
            hasIoctl |= had;
        }

        _cdevs[major] = hasIoctl;
        if (_chrdevs.TryGetValue(major, out var region))
        {
            _chrdevs[major] = region with { HasIoctl = region.HasIoctl || hasIoctl };
            name = region.Name;
        }
        else
        {
            _chrdevs.Add(major, new ChrdevRegistration(major, name, hasIoctl));
            _regionless.Add(major);
            Note($"cdev_add({major}:{minor}, count {count}) without a reserved region (register_chrdev_region/alloc_chrdev_region)");
        }

        _trace.Add(new TraceEvent { Kind = "chrdev", Op = "cdev_add", Major = major, Text = name, Ret = 0 });
        return 0;
    }

    /// <summary>cdev_del: the cdev's fops are no longer reachable; a reserved region stays until unregistered.</summary>
    public void CdevDel(uint major, uint minor, uint count)
    {
        var name = FindChrdev(major)?.Name ?? "";
        _trace.Add(new TraceEvent { Kind = "chrdev", Op = "cdev_del", Major = major, Text = name });
        if (!_cdevs.Remove(major))
        {
            Note($"cdev_del({major}:{minor}, count {count}): no cdev was added there");
            return;
        }

        if (_regionless.Remove(major))
        {
            _chrdevs.Remove(major);
        }
        else if (_chrdevs.TryGetValue(major, out var region))
        {
            _chrdevs[major] = region with { HasIoctl = false };
        }
    }

    // ---- printk ----

    /// <summary>
    /// Takes printk's raw text: optional KERN_* prefixes ("\u0001" + '0'..'7', 'c' = KERN_CONT, 'd' = default),
    /// then text that may hold several lines. A piece without a trailing newline stays pending; the next printk
    /// joins it only when it starts with KERN_CONT, otherwise the pending piece becomes a line of its own first.
    /// </summary>
    public void Printk(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        int? level = null;
        var cont = false;
        var pos = 0;
        while (pos + 1 < raw.Length && raw[pos] == '\u0001')
        {
            var c = raw[pos + 1];
            if (c is >= '0' and <= '7')
            {
                level = c - '0';
            }
            else if (c == 'c')
            {
                cont = true;
            }
            else if (c != 'd')
            {
                break;
            }

            pos += 2;
        }

        var text = raw[pos..];
        if (text.Length == 0)
        {
            // A level alone (printk(KERN_INFO, "...") with a comma) is an empty record, as in Linux.
            if (level is not null && !cont)
            {
                FlushPending();
                _pending = new DmesgLine(level.Value, "");
                FlushPending();
            }

            return;
        }

        if (_pending is not null && !cont)
        {
            FlushPending();
        }

        var start = 0;
        int newline;
        while ((newline = text.IndexOf('\n', start)) >= 0)
        {
            AppendPiece(level, text[start..newline]);
            FlushPending();
            start = newline + 1;
        }

        if (start < text.Length)
        {
            AppendPiece(level, text[start..]);
        }
    }

    // ---- PCI ----

    public ulong PciGetDevice(uint vendor, uint device)
    {
        var handle = Matches(vendor, device) ? PciDeviceHandle : 0;
        Note(string.Create(CultureInfo.InvariantCulture, $"pci_get_device(0x{vendor:x}, 0x{device:x}) -> {(handle == 0 ? "none" : "0x1234:0xcafe")}"));
        return handle;
    }

    /// <summary>BAR <paramref name="bar"/> of the device: (start, length); (0, 0) for anything but BAR0 of the emulated device.</summary>
    public (ulong Start, ulong Length) PciResource(ulong handle, int bar) =>
        handle == PciDeviceHandle && bar == 0 ? (Options.DeviceBase, Options.DeviceSize) : (0, 0);

    /// <summary>pci_register_driver: the device handle when an id matches (the host then calls probe), else 0.</summary>
    public ulong PciRegisterDriver(string name, IReadOnlyList<(uint Vendor, uint Device)> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var handle = ids.Any(id => Matches(id.Vendor, id.Device)) ? PciDeviceHandle : 0;
        PciDriverBound |= handle != 0;
        Note(handle == 0
            ? $"pci_register_driver(\"{name}\"): no id matches the device 0x1234:0xcafe"
            : $"pci_register_driver(\"{name}\"): matches 0x1234:0xcafe, probe follows");
        return handle;
    }

    public void PciUnregisterDriver(string name)
    {
        PciDriverBound = false;
        Note($"pci_unregister_driver(\"{name}\")");
    }

    /// <summary>A pci_driver whose id table matches the device is registered (its probe ran at registration).</summary>
    public bool PciDriverBound { get; private set; }

    // ---- helpers ----

    /// <summary>The kernel-style name of an API ("ioread32", "copy_to_user", "pci_ioremap_bar").</summary>
    public static string ApiName(Api api)
    {
        var name = api.ToString();
        var sb = new StringBuilder(name.Length + 4);
        for (var k = 0; k < name.Length; k++)
        {
            if (char.IsUpper(name[k]) && k > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[k]));
        }

        return sb.ToString();
    }

    private ulong Map(ulong phys, ulong size, Api api, out string? why)
    {
        why = null;
        if (Options.FailIoremap)
        {
            why = "fault injected: ioremap returns NULL";
            return 0;
        }

        var pageOffset = phys & (PageSize - 1);
        if (size == 0 || size > Layout.IoWindowSize || phys > ulong.MaxValue - size)
        {
            why = "invalid size";
            return 0;
        }

        // x86's __ioremap_caller: "ioremap on RAM" warns and returns NULL (a placeholder address such as 0xff is RAM).
        var last = phys + size - 1;
        if (IsSystemRam(phys, last))
        {
            why = string.Create(CultureInfo.InvariantCulture,
                $"0x{phys:x} is ordinary RAM, not a device: x86 refuses to ioremap RAM and returns NULL (the my-rng device's registers are at 0x{Options.DeviceBase:x})");
            KernelLine(DefaultLevel, string.Create(CultureInfo.InvariantCulture, $"WARNING: ioremap on RAM at 0x{phys:x16} - 0x{last:x16}"));
            return 0;
        }

        var pages = (pageOffset + size + PageSize - 1) / PageSize;
        var end = _nextVa + ((pages + GuardPages) * PageSize);
        if (end > Layout.IoWindowBase + Layout.IoWindowSize)
        {
            why = "out of ioremap space";
            return 0;
        }

        // As Linux: the returned address keeps phys's offset within its page.
        var mapping = new IoMapping(_nextVa + pageOffset, phys, size, api);
        _nextVa = end;
        _regions.Add(new Region(mapping, end));
        _live.Add(mapping);
        _history.Add(mapping);
        return mapping.Va;
    }

    // Finds the live mapping holding [va, va+size); on failure raises the oops that explains why.
    private bool Resolve(ulong va, int size, Api api, out ulong phys, out IoMapping? mapping)
    {
        phys = 0;
        mapping = null;
        if (size is not (1 or 2 or 4 or 8))
        {
            RaiseOops($"invalid MMIO access size {size} at 0x{va:x}", va, api);
            return false;
        }

        var last = va + (ulong)size - 1; // wraps only for va near 2^64, which no region contains
        Region? live = null;
        Region? dead = null;
        foreach (var r in _regions)
        {
            if (va >= r.SpanStart && va < r.SpanEnd)
            {
                if (r.Live)
                {
                    live = r;
                }
                else
                {
                    dead = r;
                }
            }
        }

        // ioremap maps whole pages, as Linux does: ioremap(base, 4) still reaches base + 4.
        var mappedEnd = (live?.Mapping.Va + live?.Mapping.Size + PageSize - 1) & ~(PageSize - 1);
        if (live is not null && va >= live.SpanStart && last >= va && last < mappedEnd)
        {
            phys = live.Mapping.Phys + (va - live.Mapping.Va);
            mapping = live.Mapping;
            return true;
        }

        string message;
        if (va < PageSize)
        {
            message = $"NULL pointer dereference at 0x{va:x}: ioremap failed or the mapping pointer was never set";
        }
        else if (dead is not null)
        {
            message = $"MMIO access to 0x{va:x} after iounmap";
        }
        else if (live is not null)
        {
            message = $"MMIO access at 0x{va:x}, beyond the 0x{live.Mapping.Size:x} bytes mapped (whole pages)";
        }
        else
        {
            message = $"unable to handle page fault for address 0x{va:x} (not an ioremap'd address)";
        }

        RaiseOops(message, va, api);
        return false;
    }

    private bool OnDevice(ulong phys, int size) =>
        phys >= Options.DeviceBase && phys - Options.DeviceBase <= Options.DeviceSize
        && (ulong)size <= Options.DeviceSize - (phys - Options.DeviceBase);

    // Off the device, the event says where in the driver's mapping the access went (mapping+4), so a wrong
    // base address still shows which registers the driver meant.
    private void TraceMmio(string dir, ulong phys, ulong? offset, int size, ulong value, Api api, IoMapping? mapping)
    {
        _trace.Add(new TraceEvent
        {
            Kind = "mmio", Dir = dir, Offset = offset, Address = offset is null ? phys : null, Size = size, Value = value,
            Api = ApiName(api),
            Text = offset is null && mapping is not null ? $"mapping+0x{phys - mapping.Phys:x}, where no device answers" : null,
        });
        if (offset is { } o && o % (ulong)size != 0)
        {
            Note($"unaligned {size}-byte {dir} at device offset 0x{o:x}: rejected by the device");
        }
    }

    private void TraceUser(string dir, ulong address, int size, ulong notCopied, Api api) =>
        _trace.Add(new TraceEvent
        {
            Kind = "user", Dir = dir, Address = address, Size = size, NotCopied = notCopied, Api = ApiName(api),
        });

    // The guest's e820 System RAM below 4 GiB: the first 639 KiB and from 1 MiB to RamTop.
    private bool IsSystemRam(ulong first, ulong last) =>
        first < 0x9fc00 || (last >= 0x10_0000 && first < Options.RamTop);

    private bool IsFree(uint major) => !_chrdevs.ContainsKey(major) && !Options.TakenMajors.Contains(major);

    private static bool Matches(uint vendor, uint device) =>
        (vendor == RngDevice.VendorId || vendor == PciAnyId) && (device == RngDevice.DeviceId || device == PciAnyId);

    private void AppendPiece(int? level, string piece) =>
        _pending = _pending is null
            ? new DmesgLine(level ?? DefaultLevel, piece)
            : _pending with { Text = _pending.Text + piece };

    private void FlushPending()
    {
        if (_pending is null)
        {
            return;
        }

        _dmesg.Add(_pending);
        _trace.Add(DmesgEvent(_pending));
        _pending = null;
    }

    // A line of the kernel's own (a WARNING): never joins a pending piece.
    private void KernelLine(int level, string text)
    {
        FlushPending();
        _pending = new DmesgLine(level, text);
        FlushPending();
    }

    private static TraceEvent DmesgEvent(DmesgLine line) => new() { Kind = "dmesg", Level = line.Level, Text = line.Text };

    private static int ClampSize(ulong size) => (int)Math.Min(size, int.MaxValue);

    private static IReadOnlyList<T> Slice<T>(IReadOnlyList<T> list, int from)
    {
        var result = new T[Math.Max(0, list.Count - from)];
        for (var k = 0; k < result.Length; k++)
        {
            result[k] = list[from + k];
        }

        return result;
    }

    private sealed class Region(IoMapping mapping, ulong spanEnd)
    {
        public IoMapping Mapping { get; } = mapping;
        // The pages it owns plus its guard gap: an address here belongs to this mapping's story.
        public ulong SpanStart { get; } = mapping.Va & ~(PageSize - 1);
        public ulong SpanEnd { get; } = spanEnd;
        public bool Live { get; set; } = true;
    }
}
