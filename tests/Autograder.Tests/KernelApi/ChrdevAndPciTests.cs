using Autograder.KernelApi;
using static Autograder.KernelApi.Kernel;

namespace Autograder.Tests.KernelApi;

internal sealed class ChrdevAndPciTests : KernelApiTestBase
{
    [Test]
    public void Register_chrdev_hands_the_operations_to_the_backend()
    {
        var fops = new file_operations { unlocked_ioctl = (_, cmd, _) => cmd };
        Assert.That(register_chrdev(250, "my_rng_driver", fops), Is.Zero);
        unregister_chrdev(250, "my_rng_driver");
        Assert.That(Fake.Calls, Is.EqualTo(new[] { "register_chrdev 250 my_rng_driver ioctl=True", "unregister_chrdev 250 my_rng_driver" }));
    }

    [Test]
    public void A_misc_device_registers_under_major_ten()
    {
        var misc = new miscdevice { name = "my_rng", fops = new file_operations() };
        Assert.That(misc_register(misc), Is.Zero);
        misc_deregister(misc);
        Assert.That(Fake.Calls, Is.EqualTo(new[] { "register_chrdev 10 my_rng ioctl=False", "unregister_chrdev 10 my_rng" }));
    }

    [Test]
    public void Pci_register_driver_probes_the_device_and_unregister_removes_it()
    {
        pci_dev? probed = null;
        pci_device_id? matched = null;
        var removed = 0;
        var drv = new pci_driver
        {
            name = "my_rng_driver",
            id_table = [PCI_DEVICE(0x1234, 0xcafe), new pci_device_id()],
            probe = (dev, id) =>
            {
                probed = dev;
                matched = id;
                return 0;
            },
            remove = _ => removed++,
        };

        Assert.That(pci_register_driver(drv), Is.Zero);
        Assert.That(probed, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(probed!.vendor, Is.EqualTo(0x1234u));
            Assert.That(probed.device, Is.EqualTo(0xcafeu));
            Assert.That(matched!.device, Is.EqualTo(0xcafeu));
        });
        Assert.That(pci_resource_start(probed!, 0), Is.EqualTo(0xfebf1000ul));
        Assert.That(pci_resource_len(probed!, 0), Is.EqualTo(4096ul));

        var mem = pci_iomap(probed!, 0, 16);
        pci_iounmap(probed!, mem);
        pci_unregister_driver(drv);

        Assert.That(removed, Is.EqualTo(1));
        Assert.That(Fake.Calls, Does.Contain("pci_register_driver my_rng_driver [1234:cafe]"));
        Assert.That(Fake.Calls, Does.Contain("ioremap febf1000 16 PciIomap"));
        Assert.That(Fake.Calls, Does.Contain($"iounmap {FakeBackend.MappedVa:x} PciIounmap"));
        Assert.That(Fake.Calls[^1], Is.EqualTo("pci_unregister_driver my_rng_driver"));
    }

    [Test]
    public void A_refused_probe_leaves_nothing_to_remove()
    {
        var removed = 0;
        var drv = new pci_driver
        {
            name = "x",
            id_table = [PCI_DEVICE(0x1234, 0xcafe)],
            probe = (_, _) => -ENODEV,
            remove = _ => removed++,
        };
        Assert.That(pci_register_driver(drv), Is.Zero);
        pci_unregister_driver(drv);
        Assert.That(removed, Is.Zero);
    }

    [Test]
    public void Pci_get_device_finds_the_device_once()
    {
        var dev = pci_get_device(0x1234, 0xcafe, null);
        Assert.That(dev, Is.Not.Null);
        Assert.That(pci_get_device(0x1234, 0xcafe, dev), Is.Null);
        Assert.That(pci_get_device(0x8086, 0x1000, null), Is.Null);
        var whole = pci_ioremap_bar(dev!, 0);
        Assert.That(whole, Is.Not.Null);
        Assert.That(Fake.Calls, Does.Contain("ioremap febf1000 4096 PciIoremapBar"));
        Assert.That(pci_iomap(dev!, 2, 0), Is.Null, "an absent BAR maps nothing");
    }

    [Test]
    public void Locks_keep_their_state()
    {
        var m = new mutex();
        mutex_init(m);
        Assert.That(mutex_trylock(m), Is.EqualTo(1));
        Assert.That(mutex_trylock(m), Is.Zero);
        mutex_unlock(m);
        Assert.That(mutex_is_locked(m), Is.False);

        var s = new spinlock_t();
        spin_lock_irqsave(s, out var flags);
        spin_unlock_irqrestore(s, flags);
        Assert.That(mutex_lock_interruptible(m), Is.Zero);
    }

    [Test]
    public void Without_a_backend_the_api_says_it_only_runs_in_the_worker()
    {
        Kernel.Backend = null!;
        Assert.That(() => ioremap(0, 4), Throws.InvalidOperationException.With.Message.Contains("worker"));
    }
}
