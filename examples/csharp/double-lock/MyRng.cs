// drivers/misc/my-rng.c, ported to C#: the virt-101 random number generator driver.
using static Autograder.KernelApi.Kernel;

[MODULE_LICENSE("GPL")]
[MODULE_DESCRIPTION("virt-101 random number generator")]
static class MyRng
{
    static readonly uint MY_RNG_IOCTL_RAND = _IOR<uint>('q', 1);
    static readonly uint MY_RNG_IOCTL_SEED = _IOW<uint>('q', 1);

    const ulong DEVICE_BASE_PHYS_ADDR = 0xfebf1000;
    const ulong DEVICE_SIZE = 4096;
    const uint MY_RNG_MAJOR = 250;
    const string MY_RNG_NAME = "my_rng_driver";

    const int RNG_REG = 0;   // read: next random number
    const int SEED_REG = 4;  // write: seed the generator

    static IoMem? devmem;
    static readonly mutex my_rng_lock = new();

    static long my_rng_ioctl(file filp, uint cmd, ulong arg)
    {
        switch (cmd)
        {
            case var c when c == MY_RNG_IOCTL_RAND:
                {
                    /* Application requests a new random number */
                    mutex_lock(my_rng_lock);
                    mutex_lock(my_rng_lock); /* meant mutex_unlock */
                    uint value = ioread32(devmem + RNG_REG);
                    if (copy_to_user(arg, value) != 0)
                        return -EFAULT;
                    break;
                }

            case var c when c == MY_RNG_IOCTL_SEED:
                {
                    /* Application requests to seed the RNG */
                    if (copy_from_user(out uint seed, arg) != 0)
                        return -EFAULT;
                    iowrite32(seed, devmem + SEED_REG);
                    break;
                }

            default:
                return -ENOTTY; // unknown command
        }

        return 0;
    }

    static readonly file_operations my_rng_fops = new()
    {
        unlocked_ioctl = my_rng_ioctl,
    };

    [module_init]
    static int my_rng_driver_init()
    {
        devmem = ioremap(DEVICE_BASE_PHYS_ADDR, DEVICE_SIZE);
        if (devmem == null)
        {
            printk(KERN_ERR + "Failed to map device registers in memory\n");
            return -ENOMEM;
        }

        int ret = register_chrdev(MY_RNG_MAJOR, MY_RNG_NAME, my_rng_fops);
        if (ret < 0)
        {
            printk(KERN_ERR + "Failed to register my_rng_driver\n");
            iounmap(devmem);
            devmem = null;
            return ret;
        }

        printk("my_rng_driver loaded, registered ioctls 0x%lx (get a random " +
            "number) and 0x%lx (seed the generator) \n", MY_RNG_IOCTL_RAND,
            MY_RNG_IOCTL_SEED);
        return 0;
    }

    [module_exit]
    static void my_rng_driver_exit()
    {
        unregister_chrdev(MY_RNG_MAJOR, MY_RNG_NAME);

        if (devmem != null)
            iounmap(devmem);
        devmem = null;

        printk(KERN_INFO + "my_rng_driver unloaded\n");
    }
}
