namespace Autograder.KernelApi;

public static partial class Kernel
{
    /// <summary>Matches any vendor or device id in a <see cref="pci_device_id"/>.</summary>
    public const uint PCI_ANY_ID = 0xffffffff;

    /// <summary>A PCI device (C's <c>struct pci_dev</c>).</summary>
    public sealed class pci_dev
    {
        internal pci_dev(ulong handle, uint vendor, uint device)
        {
            Handle = handle;
            this.vendor = vendor;
            this.device = device;
            dev = new device { name = $"0000:00:04.0 ({vendor:x4}:{device:x4})" };
        }

        internal ulong Handle { get; }

        internal object? DriverData { get; set; }

        /// <summary>The vendor id, e.g. 0x1234.</summary>
        public uint vendor { get; }

        /// <summary>The device id, e.g. 0xcafe.</summary>
        public uint device { get; }

        /// <summary>The generic device, for <see cref="dev_info"/> and friends.</summary>
        public device dev { get; }
    }

    /// <summary>One entry of a driver's id table (C's <c>struct pci_device_id</c>).</summary>
    public sealed class pci_device_id
    {
        /// <summary>The vendor id to match, or <see cref="PCI_ANY_ID"/>.</summary>
        public uint vendor { get; init; }

        /// <summary>The device id to match, or <see cref="PCI_ANY_ID"/>.</summary>
        public uint device { get; init; }

        /// <summary>The subsystem vendor id to match.</summary>
        public uint subvendor { get; init; } = PCI_ANY_ID;

        /// <summary>The subsystem device id to match.</summary>
        public uint subdevice { get; init; } = PCI_ANY_ID;

        /// <summary>Driver-private data for this entry.</summary>
        public ulong driver_data { get; init; }
    }

    /// <summary>An id table entry matching one vendor and device: <c>PCI_DEVICE(0x1234, 0xcafe)</c>.</summary>
    /// <param name="vendor">The vendor id.</param>
    /// <param name="device">The device id.</param>
    /// <returns>The entry.</returns>
    public static pci_device_id PCI_DEVICE(uint vendor, uint device) => new() { vendor = vendor, device = device };

    /// <summary>The probe handler: <c>int (*probe)(struct pci_dev *, const struct pci_device_id *)</c>.</summary>
    /// <param name="dev">The device found.</param>
    /// <param name="id">The id table entry that matched.</param>
    /// <returns>0 when the driver takes the device, a negative errno otherwise.</returns>
    public delegate int pci_probe_fn(pci_dev dev, pci_device_id id);

    /// <summary>The remove handler: <c>void (*remove)(struct pci_dev *)</c>.</summary>
    /// <param name="dev">The device being released.</param>
    public delegate void pci_remove_fn(pci_dev dev);

    /// <summary>A PCI driver (C's <c>struct pci_driver</c>).</summary>
    public sealed class pci_driver
    {
        /// <summary>The driver's name.</summary>
        public string name { get; init; } = "";

        /// <summary>The devices it handles (a trailing all-zero entry, C's terminator, is allowed).</summary>
        public pci_device_id[] id_table { get; init; } = [];

        /// <summary>Called for a matching device when the driver registers.</summary>
        public pci_probe_fn? probe { get; init; }

        /// <summary>Called for the bound device when the driver unregisters.</summary>
        public pci_remove_fn? remove { get; init; }

        internal pci_dev? Bound { get; set; }
    }

    /// <summary>Finds a PCI device by vendor and device id.</summary>
    /// <param name="vendor">The vendor id.</param>
    /// <param name="device">The device id.</param>
    /// <param name="from">The previous device found, to continue a search; null to start.</param>
    /// <returns>The device, or null when there is none (more).</returns>
    public static pci_dev? pci_get_device(uint vendor, uint device, pci_dev? from)
    {
        var handle = Backend.PciGetDevice(vendor, device);
        // One device of a kind sits on the emulated bus: a continued search finds no more.
        if (handle == 0 || (from is not null && from.Handle == handle))
        {
            return null;
        }

        return new pci_dev(handle, vendor, device);
    }

    /// <summary>Drops a reference taken by <see cref="pci_get_device"/>.</summary>
    /// <param name="dev">The device (may be null).</param>
    public static void pci_dev_put(pci_dev? dev)
    {
    }

    /// <summary>Enables the device.</summary>
    /// <param name="dev">The device.</param>
    /// <returns>0.</returns>
    public static int pci_enable_device(pci_dev dev) => 0;

    /// <summary>Enables the device's memory BARs.</summary>
    /// <param name="dev">The device.</param>
    /// <returns>0.</returns>
    public static int pci_enable_device_mem(pci_dev dev) => 0;

    /// <summary>Disables the device.</summary>
    /// <param name="dev">The device.</param>
    public static void pci_disable_device(pci_dev dev)
    {
    }

    /// <summary>Enables bus mastering.</summary>
    /// <param name="dev">The device.</param>
    public static void pci_set_master(pci_dev dev)
    {
    }

    /// <summary>Reserves the device's BARs for this driver.</summary>
    /// <param name="dev">The device.</param>
    /// <param name="name">The owner's name.</param>
    /// <returns>0.</returns>
    public static int pci_request_regions(pci_dev dev, string name) => 0;

    /// <summary>Releases the BARs reserved by <see cref="pci_request_regions"/>.</summary>
    /// <param name="dev">The device.</param>
    public static void pci_release_regions(pci_dev dev)
    {
    }

    /// <summary>The physical start address of BAR <paramref name="bar"/>.</summary>
    /// <param name="dev">The device.</param>
    /// <param name="bar">The BAR number (0 for the RNG's registers).</param>
    /// <returns>The physical address, 0 when the BAR is absent.</returns>
    public static ulong pci_resource_start(pci_dev dev, int bar) => Backend.PciResource(Require(dev).Handle, (uint)bar).Start;

    /// <summary>The length in bytes of BAR <paramref name="bar"/>.</summary>
    /// <param name="dev">The device.</param>
    /// <param name="bar">The BAR number.</param>
    /// <returns>The length, 0 when the BAR is absent.</returns>
    public static ulong pci_resource_len(pci_dev dev, int bar) => Backend.PciResource(Require(dev).Handle, (uint)bar).Length;

    /// <summary>The last physical address of BAR <paramref name="bar"/>.</summary>
    /// <param name="dev">The device.</param>
    /// <param name="bar">The BAR number.</param>
    /// <returns>The last address of the BAR.</returns>
    public static ulong pci_resource_end(pci_dev dev, int bar)
    {
        var (start, length) = Backend.PciResource(Require(dev).Handle, (uint)bar);
        return length == 0 ? 0 : start + length - 1;
    }

    /// <summary>Maps BAR <paramref name="bar"/>, at most <paramref name="maxlen"/> bytes (0: the whole BAR).</summary>
    /// <param name="dev">The device.</param>
    /// <param name="bar">The BAR number.</param>
    /// <param name="maxlen">The most bytes to map, 0 for all.</param>
    /// <returns>The mapping, or null when it fails.</returns>
    public static IoMem? pci_iomap(pci_dev dev, int bar, ulong maxlen)
    {
        var (start, length) = Backend.PciResource(Require(dev).Handle, (uint)bar);
        if (length == 0)
        {
            return null;
        }

        return Map(start, maxlen == 0 || maxlen > length ? length : maxlen, ApiId.PciIomap);
    }

    /// <summary>Maps the whole of BAR <paramref name="bar"/>.</summary>
    /// <param name="dev">The device.</param>
    /// <param name="bar">The BAR number.</param>
    /// <returns>The mapping, or null when it fails.</returns>
    public static IoMem? pci_ioremap_bar(pci_dev dev, int bar)
    {
        var (start, length) = Backend.PciResource(Require(dev).Handle, (uint)bar);
        return length == 0 ? null : Map(start, length, ApiId.PciIoremapBar);
    }

    /// <summary>Releases a mapping made by <see cref="pci_iomap"/>.</summary>
    /// <param name="dev">The device.</param>
    /// <param name="addr">The address pci_iomap returned.</param>
    public static void pci_iounmap(pci_dev dev, IoMem? addr) => Backend.Iounmap(IoMem.At(addr), ApiId.PciIounmap);

    /// <summary>Attaches driver data to the device.</summary>
    /// <param name="dev">The device.</param>
    /// <param name="data">The data.</param>
    public static void pci_set_drvdata(pci_dev dev, object? data) => Require(dev).DriverData = data;

    /// <summary>The data attached by <see cref="pci_set_drvdata"/>.</summary>
    /// <param name="dev">The device.</param>
    /// <returns>The data, or null.</returns>
    public static object? pci_get_drvdata(pci_dev dev) => Require(dev).DriverData;

    /// <summary>Registers a PCI driver; a matching device is probed at once.</summary>
    /// <param name="drv">The driver.</param>
    /// <returns>0 on success (even when no device matched or probe failed, as in Linux).</returns>
    public static int pci_register_driver(pci_driver drv)
    {
        ArgumentNullException.ThrowIfNull(drv);
        var table = (drv.id_table ?? []).TakeWhile(id => id is not null && (id.vendor != 0 || id.device != 0)).ToArray();
        var handle = Backend.PciRegisterDriver(drv.name ?? "", [.. table.Select(id => (id.vendor, id.device))]);
        if (handle == 0 || table.Length == 0 || drv.probe is null)
        {
            return 0;
        }

        // The reply names the device, not the entry: with several entries, ask which one finds it.
        var id = table[0];
        if (table.Length > 1)
        {
            id = table.FirstOrDefault(e => Backend.PciGetDevice(e.vendor, e.device) == handle) ?? id;
        }

        var dev = new pci_dev(handle, id.vendor, id.device);
        Backend.Note($"pci: probing {drv.name} for device {handle:x}");
        if (drv.probe(dev, id) == 0)
        {
            drv.Bound = dev;
        }

        return 0;
    }

    /// <summary>Unregisters a PCI driver, calling remove for the device it had bound.</summary>
    /// <param name="drv">The driver.</param>
    public static void pci_unregister_driver(pci_driver drv)
    {
        ArgumentNullException.ThrowIfNull(drv);
        if (drv.Bound is { } dev)
        {
            drv.Bound = null;
            drv.remove?.Invoke(dev);
        }

        Backend.PciUnregisterDriver(drv.name ?? "");
    }
}
