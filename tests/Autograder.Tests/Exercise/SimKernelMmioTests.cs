using Autograder.Exercise;
using Autograder.Protocol;

namespace Autograder.Tests.Exercise;

public class SimKernelMmioTests
{
    private const ulong Base = 0xfebf1000;

    [Test]
    public void Ioremap_of_the_device_maps_it_and_reads_reach_the_device()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        Assert.That(va, Is.InRange(Layout.IoWindowBase, Layout.IoWindowBase + Layout.IoWindowSize - 1));
        Assert.That(va % 4096, Is.Zero);
        Assert.That(kernel.Mappings, Is.EqualTo(new[] { new IoMapping(va, Base, 4096, Api.Ioremap) }));

        kernel.MmioWrite(va + 4, 4, 42, Api.Iowrite32);
        Assert.That(kernel.MmioRead(va, 4, Api.Ioread32), Is.EqualTo(71876166UL));
        Assert.That(kernel.Device.Accesses, Is.EqualTo(new[]
        {
            new MmioAccess(true, 4, 4, 42, Api.Iowrite32),
            new MmioAccess(false, 0, 4, 71876166, Api.Ioread32),
        }));
        Assert.That(kernel.Oops, Is.Null);
    }

    [Test]
    public void Mmio_is_traced_with_the_device_offset_and_kernel_api_name()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.MmioRead(va, 4, Api.Readl);
        var mmio = kernel.Trace.Single(e => e.Kind == "mmio");
        Assert.That(mmio, Is.EqualTo(new Autograder.Model.TraceEvent
        {
            Kind = "mmio", Dir = "read", Offset = 0, Size = 4, Value = 1804289383, Api = "readl",
        }));
        var ioremap = kernel.Trace.Single(e => e.Kind == "ioremap");
        Assert.That((ioremap.Address, ioremap.Size, ioremap.Va, ioremap.Api), Is.EqualTo((Base, 4096, va, "ioremap")));
    }

    [Test]
    public void Mapping_that_does_not_start_at_the_bar_translates_offsets()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base + 4, 4, Api.Ioremap);
        Assert.That(va % 4096, Is.EqualTo(4UL), "as Linux, the page offset is kept");
        kernel.MmioWrite(va, 4, 42, Api.Iowrite32);
        Assert.That(kernel.Device.Accesses.Single().Offset, Is.EqualTo(4UL));
        Assert.That(kernel.Device.Peek(1), Is.EqualTo(new[] { 71876166 }));
    }

    [Test]
    public void Each_ioremap_gets_a_fresh_address_never_reused()
    {
        var kernel = new SimKernel(new KernelOptions());
        var a = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.Iounmap(a, Api.Iounmap);
        var b = kernel.Ioremap(Base, 4096, Api.Ioremap);
        Assert.That(b, Is.GreaterThan(a + 4096), "a guard gap separates mappings");
        Assert.That(kernel.Mappings.Select(m => m.Va), Is.EqualTo(new[] { b }));
        Assert.That(kernel.MappingHistory.Select(m => m.Va), Is.EqualTo(new[] { a, b }));
    }

    [Test]
    public void Fault_injection_makes_ioremap_return_null_and_traces_it()
    {
        var kernel = new SimKernel(new KernelOptions { FailIoremap = true });
        Assert.That(kernel.Ioremap(Base, 4096, Api.PciIomap), Is.Zero);
        Assert.That(kernel.Mappings, Is.Empty);
        Assert.That(kernel.Trace.Single(), Has.Property("Kind").EqualTo("ioremap").And.Property("Va").EqualTo(0UL));
    }

    [Test]
    public void Ioremap_of_size_0_returns_null()
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.Ioremap(Base, 0, Api.Ioremap), Is.Zero);
        Assert.That(kernel.MappingHistory, Is.Empty);
    }

    [TestCase(ulong.MaxValue - 10, 4096UL)]
    [TestCase(Base, Layout.IoWindowSize + 1)]
    public void Ioremap_of_an_impossible_range_returns_null(ulong phys, ulong size)
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.Ioremap(phys, size, Api.Ioremap), Is.Zero);
        Assert.That(kernel.Mappings, Is.Empty);
        Assert.That(kernel.Oops, Is.Null);
    }

    [TestCase(1, 0xffUL)]
    [TestCase(2, 0xffffUL)]
    [TestCase(4, 0xffff_ffffUL)]
    [TestCase(8, ulong.MaxValue)]
    public void Physical_range_without_a_device_reads_all_ones(int size, ulong expected)
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(0xfebf0000, 4096, Api.Ioremap);
        Assert.That(kernel.MmioRead(va, size, Api.Ioread32), Is.EqualTo(expected));
        kernel.MmioWrite(va + 8, 4, 42, Api.Iowrite32);
        Assert.That(kernel.Device.Accesses, Is.Empty);
        Assert.That(kernel.Oops, Is.Null);
        var reads = kernel.Trace.Where(e => e.Kind == "mmio").ToList();
        Assert.That(reads[0].Address, Is.EqualTo(0xfebf0000UL));
        Assert.That(reads[0].Offset, Is.Null);
    }

    [TestCase(0xffUL)]
    [TestCase(0x0UL)]
    [TestCase(0x10_0000UL)]
    [TestCase(0x7fff_f000UL)]
    public void Ioremap_of_ordinary_RAM_returns_NULL_as_on_x86(ulong phys)
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.Ioremap(phys, 4096, Api.Ioremap), Is.Zero);
        Assert.That(kernel.MappingHistory, Is.Empty);
        var refused = kernel.Trace.Single(e => e.Kind == "ioremap");
        Assert.That(refused.Va, Is.Zero);
        Assert.That(refused.Text, Does.Contain("RAM").And.Contain("0xfebf1000"));
        Assert.That(kernel.Dmesg.Select(l => l.Text), Has.Some.StartsWith("WARNING: ioremap on RAM at"));
        // The ISA hole and the PCI window above RAM are not RAM: mapping them succeeds (no device may answer).
        Assert.That(kernel.Ioremap(0xa_0000, 4096, Api.Ioremap), Is.Not.Zero);
        Assert.That(kernel.Ioremap(0xfebd1000, 4096, Api.Ioremap), Is.Not.Zero);
    }

    [Test]
    public void Device_at_another_base_follows_the_options()
    {
        var kernel = new SimKernel(new KernelOptions { DeviceBase = 0xfe000000 });
        var wrong = kernel.Ioremap(Base, 4096, Api.Ioremap);
        Assert.That(kernel.MmioRead(wrong, 4, Api.Ioread32), Is.EqualTo(0xffff_ffffUL));
        var right = kernel.Ioremap(0xfe000000, 4096, Api.Ioremap);
        Assert.That(kernel.MmioRead(right, 4, Api.Ioread32), Is.EqualTo(1804289383UL));
    }

    [Test]
    public void Access_straddling_the_end_of_the_bar_does_not_reach_the_device()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 8192, Api.Ioremap);
        Assert.That(kernel.MmioRead(va + 4092, 8, Api.Readq), Is.EqualTo(ulong.MaxValue));
        Assert.That(kernel.Device.Accesses, Is.Empty);
    }

    [Test]
    public void Eight_byte_read_reaches_the_device_as_two_accesses()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        Assert.That(kernel.MmioRead(va, 8, Api.Readq), Is.EqualTo(1804289383UL));
        Assert.That(kernel.Device.Accesses, Has.Count.EqualTo(2));
        Assert.That(kernel.Trace.Count(e => e.Kind == "mmio"), Is.EqualTo(1), "one trace event per driver access");
    }

    [Test]
    public void Unaligned_device_access_is_rejected_and_noted()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        Assert.That(kernel.MmioRead(va + 2, 4, Api.Ioread32), Is.EqualTo(0xffff_ffffUL));
        Assert.That(kernel.Device.Accesses.Single().Rejected, Is.True);
        Assert.That(kernel.Trace.Last().Kind, Is.EqualTo("note"));
        Assert.That(kernel.Trace.Last().Text, Does.Contain("unaligned"));
        Assert.That(kernel.Oops, Is.Null);
    }

    [TestCase(0UL)]
    [TestCase(4UL)]
    public void Mmio_through_null_oopses(ulong va)
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.MmioRead(va, 4, Api.Ioread32), Is.Zero);
        Assert.That(kernel.Oops, Does.StartWith("NULL pointer dereference at 0x" + va.ToString("x", null)));
        Assert.That(kernel.Oops, Does.Contain("ioremap failed"));
        Assert.That(kernel.Device.Accesses, Is.Empty);
        var oops = kernel.Trace.Single();
        Assert.That((oops.Kind, oops.Address, oops.Api), Is.EqualTo(("oops", (ulong?)va, "ioread32")));
    }

    [Test]
    public void Mmio_after_iounmap_oopses()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.Iounmap(va, Api.Iounmap);
        kernel.MmioWrite(va + 4, 4, 1, Api.Iowrite32);
        Assert.That(kernel.Oops, Is.EqualTo($"MMIO access to 0x{va + 4:x} after iounmap"));
        Assert.That(kernel.Device.Accesses, Is.Empty);
    }

    [TestCase(4UL, 4)]
    [TestCase(0UL, 8)]
    [TestCase(4092UL, 4)]
    public void Mmio_within_the_pages_of_a_short_mapping_works_as_in_linux(ulong offset, int size)
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4, Api.Ioremap);
        kernel.MmioRead(va + offset, size, Api.Ioread32);
        Assert.That(kernel.Oops, Is.Null);
    }

    [TestCase(4096UL, 4)]
    [TestCase(4092UL, 8)]
    public void Mmio_beyond_the_mapped_pages_oopses(ulong offset, int size)
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4, Api.Ioremap);
        kernel.MmioRead(va + offset, size, Api.Ioread32);
        Assert.That(kernel.Oops, Is.EqualTo($"MMIO access at 0x{va + offset:x}, beyond the 0x4 bytes mapped (whole pages)"));
    }

    [Test]
    public void Mmio_at_the_last_mapped_bytes_works()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.MmioRead(va + 4092, 4, Api.Ioread32);
        kernel.MmioRead(va + 4088, 8, Api.Readq);
        Assert.That(kernel.Oops, Is.Null);
    }

    [TestCase(0xfebf1000UL)]
    [TestCase(Layout.IoWindowBase + 0x100_0000)]
    [TestCase(Layout.UserWindowBase)]
    [TestCase(ulong.MaxValue - 1)]
    public void Mmio_at_an_address_that_was_never_mapped_oopses(ulong va)
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.MmioWrite(va, 4, 0, Api.Writel);
        Assert.That(kernel.Oops, Is.EqualTo($"unable to handle page fault for address 0x{va:x} (not an ioremap'd address)"));
    }

    [Test]
    public void First_oops_is_kept_and_later_calls_are_still_answered()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.MmioRead(0, 4, Api.Ioread32);
        Assert.That(kernel.OopsCount, Is.EqualTo(1));
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        Assert.That(kernel.MmioRead(va, 4, Api.Ioread32), Is.EqualTo(1804289383UL));
        kernel.MmioRead(0x5000, 4, Api.Ioread32);
        Assert.That(kernel.OopsCount, Is.EqualTo(2));
        Assert.That(kernel.Oops, Does.StartWith("NULL pointer"));
        Assert.That(kernel.Trace.Count(e => e.Kind == "oops"), Is.EqualTo(2));
    }

    [Test]
    public void RaiseOops_with_address_and_api_traces_them()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RaiseOops("direct dereference", 0x3000_0000_0000UL, Api.Deref);
        var e = kernel.Trace.Single();
        Assert.That((e.Kind, e.Address, e.Api, e.Text), Is.EqualTo(("oops", (ulong?)0x3000_0000_0000UL, "deref", "direct dereference")));
    }

    [Test]
    public void RaiseOops_from_the_host_is_recorded()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RaiseOops("direct dereference of an ioremap'd pointer: use ioread32");
        Assert.That(kernel.Oops, Does.StartWith("direct dereference"));
        Assert.That(kernel.Trace.Single().Kind, Is.EqualTo("oops"));
    }

    [Test]
    public void Iounmap_of_a_live_mapping_removes_it_and_traces_it()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.Iounmap(va, Api.PciIounmap);
        Assert.That(kernel.Mappings, Is.Empty);
        Assert.That(kernel.MappingHistory, Has.Count.EqualTo(1));
        var e = kernel.Trace[^1];
        Assert.That((e.Kind, e.Va, e.Address, e.Api), Is.EqualTo(("iounmap", (ulong?)va, (ulong?)Base, "pci_iounmap")));
        Assert.That(kernel.Dmesg, Is.Empty);
    }

    [Test]
    public void Double_iounmap_warns_without_oops()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.Iounmap(va, Api.Iounmap);
        kernel.Iounmap(va, Api.Iounmap);
        Assert.That(kernel.Oops, Is.Null);
        Assert.That(kernel.Dmesg.Single().Text, Does.StartWith("WARNING: double iounmap"));
        Assert.That(kernel.Trace.Any(e => e.Kind == "note" && e.Text!.Contains("double iounmap")), Is.True);
    }

    [Test]
    public void Iounmap_of_an_unmapped_address_warns_without_oops()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.Iounmap(va + 4, Api.Iounmap);
        Assert.That(kernel.Oops, Is.Null);
        Assert.That(kernel.Mappings, Has.Count.EqualTo(1));
        Assert.That(kernel.Dmesg.Single().Text, Does.Contain("iounmap of an address that is not mapped"));
    }

    [Test]
    public void Iounmap_of_null_does_nothing()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.Iounmap(0, Api.Iounmap);
        Assert.That(kernel.Oops, Is.Null);
        Assert.That(kernel.Dmesg, Is.Empty);
    }

    [Test]
    public void User_copies_delegate_to_user_memory_and_are_traced()
    {
        var kernel = new SimKernel(new KernelOptions());
        var a = kernel.User.Allocate(4);
        Assert.That(kernel.CopyToUser(a, [1, 2, 3, 4, 5, 6, 7, 8], Api.CopyToUser), Is.Zero);
        var into = new byte[4];
        Assert.That(kernel.CopyFromUser(into, 0, Api.CopyFromUser), Is.EqualTo(4UL));
        Assert.That(kernel.Trace, Is.EqualTo(new[]
        {
            new Autograder.Model.TraceEvent { Kind = "user", Dir = "to_user", Address = a, Size = 8, NotCopied = 0, Api = "copy_to_user" },
            new Autograder.Model.TraceEvent { Kind = "user", Dir = "from_user", Address = 0, Size = 4, NotCopied = 4, Api = "copy_from_user" },
        }));
        Assert.That(kernel.User.WrittenBytes, Has.Count.EqualTo(8));
    }

    [Test]
    public void Marks_slice_what_happened_after_them()
    {
        var kernel = new SimKernel(new KernelOptions());
        var va = kernel.Ioremap(Base, 4096, Api.Ioremap);
        kernel.MmioRead(va, 4, Api.Ioread32);
        var mark = kernel.Mark();
        kernel.MmioWrite(va + 4, 4, 3, Api.Iowrite32);
        kernel.CopyToUser(kernel.User.Allocate(4), [1, 2, 3, 4], Api.PutUser);
        kernel.Printk("x\n");
        Assert.That(kernel.DeviceAccessesSince(mark), Is.EqualTo(new[] { new MmioAccess(true, 4, 4, 3, Api.Iowrite32) }));
        Assert.That(kernel.UserAccessesSince(mark).Single().Api, Is.EqualTo(Api.PutUser));
        Assert.That(kernel.TraceSince(mark).Select(e => e.Kind), Is.EqualTo(new[] { "mmio", "user", "dmesg" }));
        Assert.That(kernel.DmesgSince(mark), Is.EqualTo(new[] { new DmesgLine(4, "x") }));
    }

    [Test]
    public void Record_and_note_append_to_the_trace()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.Record(new Autograder.Model.TraceEvent { Kind = "call", Op = "ioctl", Cmd = 0x80047101 });
        kernel.Note("probe called");
        Assert.That(kernel.Trace.Select(e => (e.Kind, e.Text)), Is.EqualTo(new[] { ("call", (string?)null), ("note", "probe called") }));
    }

    [TestCase(Api.Ioread32, "ioread32")]
    [TestCase(Api.CopyToUser, "copy_to_user")]
    [TestCase(Api.PciIoremapBar, "pci_ioremap_bar")]
    [TestCase(Api.Readq, "readq")]
    public void Api_names_are_kernel_names(Api api, string name) =>
        Assert.That(SimKernel.ApiName(api), Is.EqualTo(name));
}
