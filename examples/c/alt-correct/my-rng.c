// SPDX-License-Identifier: GPL-2.0
/* A correct driver written differently: readl/writel, put_user/get_user, a mutex, u32, pr_info. */
#define pr_fmt(fmt) "my_rng: " fmt

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

#define MY_RNG_BASE 0xfebf1000UL
#define MY_RNG_REG_RAND 0x0
#define MY_RNG_REG_SEED 0x4
#define MY_RNG_MAJOR 250
#define MY_RNG_NAME "my_rng_driver"

static void __iomem *regs;
static DEFINE_MUTEX(my_rng_lock);

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	u32 __user *uptr = (u32 __user *)arg;
	long ret = 0;
	u32 v;

	mutex_lock(&my_rng_lock);
	switch (cmd) {
	case MY_RNG_IOCTL_RAND:
		v = readl(regs + MY_RNG_REG_RAND);
		if (put_user(v, uptr))
			ret = -EFAULT;
		break;
	case MY_RNG_IOCTL_SEED:
		if (get_user(v, uptr)) {
			ret = -EFAULT;
			break;
		}
		writel(v, regs + MY_RNG_REG_SEED);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&my_rng_lock);
	return ret;
}

static const struct file_operations my_rng_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = my_rng_ioctl,
};

static int __init my_rng_init(void)
{
	int err;

	regs = ioremap(MY_RNG_BASE, 8);
	if (!regs)
		return -ENOMEM;

	err = register_chrdev(MY_RNG_MAJOR, MY_RNG_NAME, &my_rng_fops);
	if (err < 0) {
		pr_err("cannot register major %d: %d\n", MY_RNG_MAJOR, err);
		iounmap(regs);
		return err;
	}

	pr_info("my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator)\n",
		(unsigned long)MY_RNG_IOCTL_RAND, (unsigned long)MY_RNG_IOCTL_SEED);
	return 0;
}

static void __exit my_rng_exit(void)
{
	unregister_chrdev(MY_RNG_MAJOR, MY_RNG_NAME);
	iounmap(regs);
	pr_info("my_rng_driver unloaded\n");
}

module_init(my_rng_init);
module_exit(my_rng_exit);
MODULE_LICENSE("GPL");
