// A correct my-rng driver written differently from the reference: readl/writel, put_user/get_user,
// a mutex around the device, pr_info, an 8-byte mapping and an extra 64-bit RAND ioctl.
using static Autograder.KernelApi.Kernel;
using u32 = uint;
using u64 = ulong;

namespace Virt101.Drivers;

internal static class RngDriver
{
    private const ulong RngBase = 0xfebf1000;
    private const ulong RngMapSize = 8; // two 32-bit registers are all we touch

    private static readonly u32 RngIoctlRand = _IOR<u32>('q', 1);
    private static readonly u32 RngIoctlSeed = _IOW<u32>('q', 1);
    // Extension: a 64-bit random number made of two consecutive 32-bit ones (high word first).
    private static readonly u32 RngIoctlRand64 = _IOR<u64>('q', 2);

    private static readonly mutex DeviceLock = new();
    private static IoMem? _regs;

    private static long Ioctl(file filp, u32 cmd, ulong arg)
    {
        long ret;
        mutex_lock(DeviceLock);
        try
        {
            if (cmd == RngIoctlRand)
            {
                ret = put_user(readl(_regs), arg);
            }
            else if (cmd == RngIoctlSeed)
            {
                ret = get_user(out u32 seed, arg);
                if (ret == 0)
                {
                    writel(seed, _regs + 4);
                }
            }
            else if (cmd == RngIoctlRand64)
            {
                u64 high = readl(_regs);
                u64 low = readl(_regs);
                ret = put_user((high << 32) | low, arg);
            }
            else
            {
                ret = -ENOTTY;
            }
        }
        finally
        {
            mutex_unlock(DeviceLock);
        }

        return ret;
    }

    private static readonly file_operations Fops = new() { unlocked_ioctl = Ioctl };

    [module_init]
    private static int Init()
    {
        mutex_init(DeviceLock);
        _regs = ioremap(RngBase, RngMapSize);
        if (_regs is null)
        {
            pr_err("my_rng_driver: cannot map the device at 0x%llx\n", RngBase);
            return -ENOMEM;
        }

        var err = register_chrdev(250, "my_rng_driver", Fops);
        if (err != 0)
        {
            pr_err("my_rng_driver: register_chrdev failed (%d)\n", err);
            iounmap(_regs);
            _regs = null;
            return err;
        }

        pr_info("my_rng_driver loaded, registered ioctls 0x%x (get a random number) and 0x%x (seed the generator)\n",
            RngIoctlRand, RngIoctlSeed);
        return 0;
    }

    [module_exit]
    private static void Exit()
    {
        unregister_chrdev(250, "my_rng_driver");
        iounmap(_regs);
        _regs = null;
        pr_info("my_rng_driver unloaded\n");
    }
}
