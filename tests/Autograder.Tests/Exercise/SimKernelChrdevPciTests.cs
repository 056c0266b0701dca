using Autograder.Exercise;

namespace Autograder.Tests.Exercise;

public class SimKernelChrdevPciTests
{
    [Test]
    public void Fixed_major_registers_and_returns_0()
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.RegisterChrdev(250, "my_rng_driver", true), Is.Zero);
        Assert.That(kernel.Chrdevs, Is.EqualTo(new[] { new ChrdevRegistration(250, "my_rng_driver", true) }));
        Assert.That(kernel.FindChrdev(250)!.HasIoctl, Is.True);
        var e = kernel.Trace.Single();
        Assert.That((e.Kind, e.Op, e.Major, e.Text, e.Ret), Is.EqualTo(("chrdev", "register", (uint?)250u, "my_rng_driver", (long?)0)));
    }

    [Test]
    public void Dynamic_major_is_the_highest_free_from_254_down()
    {
        var kernel = new SimKernel(new KernelOptions { TakenMajors = [254] });
        Assert.That(kernel.RegisterChrdev(0, "a", true), Is.EqualTo(253));
        Assert.That(kernel.RegisterChrdev(0, "b", true), Is.EqualTo(252));
        Assert.That(kernel.FindChrdev(253)!.Name, Is.EqualTo("a"));
    }

    [Test]
    public void Dynamic_majors_run_out_with_ebusy()
    {
        var kernel = new SimKernel(new KernelOptions());
        var got = Enumerable.Range(0, 21).Select(_ => kernel.RegisterChrdev(0, "x", false)).ToList();
        Assert.That(got, Is.EqualTo(Enumerable.Range(234, 21).Reverse().Select(m => (long)m)));
        Assert.That(kernel.RegisterChrdev(0, "x", false), Is.EqualTo(-16));
    }

    [Test]
    public void Taken_major_is_busy()
    {
        var kernel = new SimKernel(new KernelOptions { TakenMajors = [250] });
        Assert.That(kernel.RegisterChrdev(250, "my_rng_driver", true), Is.EqualTo(-SimKernel.Ebusy));
        Assert.That(kernel.Chrdevs, Is.Empty);
    }

    [Test]
    public void Registering_a_major_twice_is_busy()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RegisterChrdev(250, "a", true);
        Assert.That(kernel.RegisterChrdev(250, "b", true), Is.EqualTo(-16));
        Assert.That(kernel.FindChrdev(250)!.Name, Is.EqualTo("a"));
    }

    [TestCase(512u)]
    [TestCase(uint.MaxValue)]
    public void Major_of_512_or_more_is_einval(uint major)
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.RegisterChrdev(major, "x", true), Is.EqualTo(-22));
        Assert.That(kernel.Chrdevs, Is.Empty);
    }

    [Test]
    public void Major_511_is_allowed() =>
        Assert.That(new SimKernel(new KernelOptions()).RegisterChrdev(511, "x", true), Is.Zero);

    [Test]
    public void Unregister_removes_the_major_whatever_the_name()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RegisterChrdev(250, "my_rng_driver", true);
        kernel.UnregisterChrdev(250, "other");
        Assert.That(kernel.Chrdevs, Is.Empty);
        Assert.That(kernel.Trace.Any(e => e.Kind == "chrdev" && e.Op == "unregister" && e.Major == 250), Is.True);
        Assert.That(kernel.RegisterChrdev(250, "again", true), Is.Zero, "the major is free again");
    }

    [Test]
    public void Unregister_of_an_unknown_major_is_only_noted()
    {
        var kernel = new SimKernel(new KernelOptions());
        kernel.RegisterChrdev(250, "my_rng_driver", true);
        kernel.UnregisterChrdev(251, "my_rng_driver");
        Assert.That(kernel.Chrdevs, Has.Count.EqualTo(1));
        Assert.That(kernel.Oops, Is.Null);
        Assert.That(kernel.Trace[^1].Kind, Is.EqualTo("note"));
        Assert.That(kernel.Trace[^1].Text, Does.Contain("not registered"));
    }

    [TestCase(0x1234u, 0xcafeu, 1UL)]
    [TestCase(0xffffffffu, 0xcafeu, 1UL)]
    [TestCase(0x1234u, 0xffffffffu, 1UL)]
    [TestCase(0xffffffffu, 0xffffffffu, 1UL)]
    [TestCase(0x1234u, 0xbeefu, 0UL)]
    [TestCase(0x8086u, 0xcafeu, 0UL)]
    public void Pci_get_device_finds_only_the_emulated_device(uint vendor, uint device, ulong handle) =>
        Assert.That(new SimKernel(new KernelOptions()).PciGetDevice(vendor, device), Is.EqualTo(handle));

    [Test]
    public void Pci_resource_of_bar0_is_the_device_window()
    {
        var kernel = new SimKernel(new KernelOptions { DeviceBase = 0xfe000000, DeviceSize = 8192 });
        Assert.That(kernel.PciResource(1, 0), Is.EqualTo((0xfe000000UL, 8192UL)));
        Assert.That(kernel.PciResource(1, 1), Is.EqualTo((0UL, 0UL)));
        Assert.That(kernel.PciResource(2, 0), Is.EqualTo((0UL, 0UL)));
        Assert.That(kernel.PciResource(0, 0), Is.EqualTo((0UL, 0UL)));
    }

    [Test]
    public void Pci_register_driver_probes_when_an_id_matches()
    {
        var kernel = new SimKernel(new KernelOptions());
        Assert.That(kernel.PciRegisterDriver("my_rng", [(0x8086u, 0x1u), (0x1234u, 0xcafeu)]), Is.EqualTo(1UL));
        Assert.That(kernel.PciRegisterDriver("other", [(0x8086u, 0x1u)]), Is.Zero);
        Assert.That(kernel.PciRegisterDriver("none", []), Is.Zero);
        kernel.PciUnregisterDriver("my_rng");
        Assert.That(kernel.Trace.Select(e => e.Kind), Is.All.EqualTo("note"));
        Assert.That(kernel.Trace[0].Text, Does.Contain("probe"));
    }
}
