// A correct my-rng driver that finds its registers through the PCI bus: a pci_driver whose probe maps
// BAR0 with pci_iomap and registers major 250.
using static Autograder.KernelApi.Kernel;

[MODULE_LICENSE("GPL")]
static class MyRngPci
{
    const uint MY_RNG_VENDOR = 0x1234;
    const uint MY_RNG_DEVICE = 0xcafe;
    const uint MY_RNG_MAJOR = 250;
    const string MY_RNG_NAME = "my_rng_driver";

    static readonly uint MY_RNG_IOCTL_RAND = _IOR<uint>('q', 1);
    static readonly uint MY_RNG_IOCTL_SEED = _IOW<uint>('q', 1);

    static IoMem? devmem;
    static bool probed;

    static long my_rng_ioctl(file filp, uint cmd, ulong arg)
    {
        if (cmd == MY_RNG_IOCTL_RAND)
        {
            uint value = ioread32(devmem);
            return copy_to_user(arg, value) != 0 ? -EFAULT : 0;
        }

        if (cmd == MY_RNG_IOCTL_SEED)
        {
            if (copy_from_user(out uint seed, arg) != 0)
                return -EFAULT;
            iowrite32(seed, devmem + 4);
            return 0;
        }

        return -ENOTTY;
    }

    static readonly file_operations my_rng_fops = new() { unlocked_ioctl = my_rng_ioctl };

    static int my_rng_probe(pci_dev pdev, pci_device_id id)
    {
        int err = pci_enable_device(pdev);
        if (err != 0)
            return err;

        err = pci_request_regions(pdev, MY_RNG_NAME);
        if (err != 0)
        {
            pci_disable_device(pdev);
            return err;
        }

        devmem = pci_iomap(pdev, 0, 0);
        if (devmem == null)
        {
            pci_release_regions(pdev);
            pci_disable_device(pdev);
            return -ENOMEM;
        }

        err = register_chrdev(MY_RNG_MAJOR, MY_RNG_NAME, my_rng_fops);
        if (err < 0)
        {
            pci_iounmap(pdev, devmem);
            devmem = null;
            pci_release_regions(pdev);
            pci_disable_device(pdev);
            return err;
        }

        probed = true;
        dev_info(pdev.dev, "BAR0 at 0x%llx, %llu bytes\n", pci_resource_start(pdev, 0), pci_resource_len(pdev, 0));
        printk(KERN_INFO + "my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator) \n",
            MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
        return 0;
    }

    static void my_rng_remove(pci_dev pdev)
    {
        unregister_chrdev(MY_RNG_MAJOR, MY_RNG_NAME);
        pci_iounmap(pdev, devmem);
        devmem = null;
        pci_release_regions(pdev);
        pci_disable_device(pdev);
        probed = false;
    }

    static readonly pci_driver my_rng_pci_driver = new()
    {
        name = MY_RNG_NAME,
        id_table = [PCI_DEVICE(MY_RNG_VENDOR, MY_RNG_DEVICE), new pci_device_id()],
        probe = my_rng_probe,
        remove = my_rng_remove,
    };

    [module_init]
    static int my_rng_init()
    {
        int err = pci_register_driver(my_rng_pci_driver);
        if (err != 0)
            return err;

        // No device, or probe refused it: nothing to drive.
        if (!probed)
        {
            pci_unregister_driver(my_rng_pci_driver);
            return -ENODEV;
        }

        return 0;
    }

    [module_exit]
    static void my_rng_exit()
    {
        pci_unregister_driver(my_rng_pci_driver);
    }
}
