// SPDX-License-Identifier: GPL-2.0
/*
 * my-rng: driver for the virt-101 random number generator.
 * The device has two 32-bit registers: RAND (offset 0) and SEED (offset 4).
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>

#define RNG_BASE	0xfebf1000UL
#define RNG_SIZE	0x1000
#define REG_RAND	0x0
#define REG_SEED	0x4
#define RNG_MAJOR	250
#define RNG_NAME	"my_rng_driver"

#define MY_RNG_IOCTL_RAND	_IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED	_IOW('q', 1, unsigned int)

static void __iomem *regs;
static DEFINE_MUTEX(rng_lock);

static long rng_get(unsigned int __user *out)
{
	u32 v;

	mutex_lock(&rng_lock);
	v = readl(regs + REG_RAND);
	mutex_unlock(&rng_lock);
	return put_user(v, out);
}

static long rng_seed(unsigned int __user *in)
{
	u32 s;

	if (get_user(s, in))
		return -EFAULT;
	mutex_lock(&rng_lock);
	writel(s, regs + REG_SEED);
	mutex_unlock(&rng_lock);
	return 0;
}

static long rng_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *uptr = (void __user *)arg;

	if (cmd == MY_RNG_IOCTL_RAND)
		return rng_get(uptr);
	if (cmd == MY_RNG_IOCTL_SEED)
		return rng_seed(uptr);
	return -ENOTTY;
}

static const struct file_operations rng_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = rng_ioctl,
};

static int __init rng_init(void)
{
	int err;

	regs = ioremap(RNG_BASE, RNG_SIZE);
	if (!regs)
		return -ENOMEM;

	err = register_chrdev(RNG_MAJOR, RNG_NAME, &rng_fops);
	if (err < 0) {
		iounmap(regs);
		return err;
	}

	pr_info("my_rng_driver loaded, registered ioctls 0x%x (get a random number) and 0x%x (seed the generator)\n",
		MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
	return 0;
}

static void __exit rng_exit(void)
{
	unregister_chrdev(RNG_MAJOR, RNG_NAME);
	iounmap(regs);
}

module_init(rng_init);
module_exit(rng_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("virt-101 RNG driver");
