// SPDX-License-Identifier: GPL-2.0
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/ioctl.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/types.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)
#define DEVICE_BASE_PHYS_ADDR 0xfebf1000
#define RNG_REG 0x0
#define SEED_REG 0x4

static void __iomem *devmem;
static DEFINE_MUTEX(rng_lock);

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	u32 __user *uptr = (u32 __user *)arg;
	long ret = 0;

	mutex_lock(&rng_lock);
	switch (cmd) {
	case MY_RNG_IOCTL_RAND:
		u32 val = readl(devmem + RNG_REG);
		if (put_user(val, uptr))
			ret = -EFAULT;
		break;
	case MY_RNG_IOCTL_SEED: {
		u32 seed;
		if (get_user(seed, uptr)) {
			ret = -EFAULT;
			break;
		}
		writel(seed, devmem + SEED_REG);
		break;
	}
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&rng_lock);
	return ret;
}

static const struct file_operations my_rng_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = my_rng_ioctl,
	.compat_ioctl = my_rng_ioctl,
};

static int __init my_rng_driver_init(void)
{
	int ret;

	devmem = ioremap(DEVICE_BASE_PHYS_ADDR, 8);
	if (!devmem) {
		pr_err("Failed to map device registers in memory\n");
		return -ENOMEM;
	}

	ret = register_chrdev(250, "my_rng_driver", &my_rng_fops);
	if (ret < 0) {
		pr_err("Failed to register my_rng_driver\n");
		iounmap(devmem);
		return ret;
	}

	pr_info("my_rng_driver loaded, registered ioctls 0x%x (get a random number) and 0x%x (seed the generator)\n",
		MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
	return 0;
}

static void __exit my_rng_driver_exit(void)
{
	unregister_chrdev(250, "my_rng_driver");
	iounmap(devmem);
	pr_info("my_rng_driver unloaded\n");
}

module_init(my_rng_driver_init);
module_exit(my_rng_driver_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("A Student");
