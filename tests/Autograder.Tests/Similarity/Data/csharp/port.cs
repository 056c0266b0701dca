using static Autograder.KernelApi.Kernel;

// independent/ioread-copy.c, ported line by line to the C# driver API.
static class MyRng
{
    static readonly uint MY_RNG_IOCTL_RAND = _IOR<uint>('q', 1);
    static readonly uint MY_RNG_IOCTL_SEED = _IOW<uint>('q', 1);
    const ulong DEVICE_BASE_PHYS_ADDR = 0xfebf1000;
    static IoMem? devmem;

    static long my_rng_ioctl(file file, uint cmd, ulong arg)
    {
        switch (cmd)
        {
            case var c when c == MY_RNG_IOCTL_RAND:
                uint random_number = ioread32(devmem + 0);
                if (copy_to_user(arg, random_number) != 0)
                {
                    printk(KERN_ERR + "my_rng: copy_to_user failed\n");
                    return -EFAULT;
                }
                break;
            case var c when c == MY_RNG_IOCTL_SEED:
                if (copy_from_user(out uint seed, arg) != 0)
                {
                    printk(KERN_ERR + "my_rng: copy_from_user failed\n");
                    return -EFAULT;
                }
                iowrite32(seed, devmem + 4);
                break;
            default:
                return -ENOTTY;
        }
        return 0;
    }

    static readonly file_operations my_rng_fops = new() { unlocked_ioctl = my_rng_ioctl };

    [module_init]
    static int my_rng_driver_init()
    {
        devmem = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);
        if (devmem == null)
        {
            printk(KERN_ERR + "Failed to map device registers in memory");
            return -ENOMEM;
        }
        if (register_chrdev(250, "my_rng_driver", my_rng_fops) < 0)
        {
            printk(KERN_ERR + "Failed to register my_rng_driver\n");
            iounmap(devmem);
            return -EBUSY;
        }
        printk("my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator) \n",
            MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
        return 0;
    }

    [module_exit]
    static void my_rng_driver_exit()
    {
        unregister_chrdev(250, "my_rng_driver");
        if (devmem != null)
            iounmap(devmem);
        printk(KERN_INFO + "my_rng_driver unloaded\n");
    }
}
