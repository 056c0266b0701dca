/* virt-101 exercise: my-rng driver */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>
#include <linux/types.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)

enum { RNG_OFF_RAND = 0x00, RNG_OFF_SEED = 0x04 };

static struct {
	phys_addr_t phys;
	size_t len;
	void __iomem *va;
	int major;
	bool registered;
} state = { .phys = 0xfebf1000, .len = 4096, .major = 250 };

static u32 hw_next(void)
{
	return ioread32(state.va + RNG_OFF_RAND);
}

static void hw_seed(u32 seed)
{
	iowrite32(seed, state.va + RNG_OFF_SEED);
}

static long ioctl_handler(struct file *file, unsigned int request, unsigned long user_addr)
{
	u32 buf;

	switch (request) {
	case MY_RNG_IOCTL_RAND:
		buf = hw_next();
		return copy_to_user((u32 __user *)user_addr, &buf, sizeof buf) ? -EFAULT : 0;
	case MY_RNG_IOCTL_SEED:
		if (copy_from_user(&buf, (const u32 __user *)user_addr, sizeof buf))
			return -EFAULT;
		hw_seed(buf);
		return 0;
	default:
		return -ENOTTY;
	}
}

static struct file_operations ops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ioctl_handler,
};

static int __init rng_module_init(void)
{
	int rc = -ENOMEM;

	state.va = ioremap(state.phys, state.len);
	if (!state.va)
		goto fail;

	rc = register_chrdev(state.major, "my_rng_driver", &ops);
	if (rc < 0)
		goto fail_unmap;
	state.registered = true;

	printk(KERN_INFO "my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator) \n",
	       (unsigned long)MY_RNG_IOCTL_RAND, (unsigned long)MY_RNG_IOCTL_SEED);
	return 0;

fail_unmap:
	iounmap(state.va);
	state.va = NULL;
fail:
	printk(KERN_ERR "my_rng_driver: init failed (%d)\n", rc);
	return rc;
}

static void __exit rng_module_exit(void)
{
	if (state.registered)
		unregister_chrdev(state.major, "my_rng_driver");
	if (state.va)
		iounmap(state.va);
}

module_init(rng_module_init);
module_exit(rng_module_exit);
MODULE_LICENSE("GPL");
