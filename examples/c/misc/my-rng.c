#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>
#include <linux/io.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)

#define DEVICE_BASE_PHYS_ADDR 0xfebf1000

struct my_rng {
	struct miscdevice misc;
	void __iomem *regs;
};

static struct my_rng rng;

static int my_rng_open(struct inode *inode, struct file *file)
{
	/* misc_open left the miscdevice in private_data. */
	struct my_rng *dev = container_of(file->private_data, struct my_rng, misc);

	file->private_data = dev;
	return 0;
}

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct my_rng *dev = file->private_data;
	u32 value;

	switch (cmd) {
	case MY_RNG_IOCTL_RAND:
		value = ioread32(dev->regs);
		return copy_to_user((u32 __user *)arg, &value, sizeof(value)) ? -EFAULT : 0;
	case MY_RNG_IOCTL_SEED:
		if (copy_from_user(&value, (u32 __user *)arg, sizeof(value)))
			return -EFAULT;
		iowrite32(value, dev->regs + 4);
		return 0;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations my_rng_fops = {
	.owner = THIS_MODULE,
	.open = my_rng_open,
	.unlocked_ioctl = my_rng_ioctl,
};

static int __init my_rng_driver_init(void)
{
	int ret;

	rng.regs = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);
	if (!rng.regs)
		return -ENOMEM;

	rng.misc.minor = MISC_DYNAMIC_MINOR;
	rng.misc.name = "my_rng_driver";
	rng.misc.fops = &my_rng_fops;
	rng.misc.mode = 0666;
	ret = misc_register(&rng.misc);
	if (ret) {
		iounmap(rng.regs);
		return ret;
	}

	dev_info(rng.misc.this_device, "my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator)\n",
		 MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
	return 0;
}

static void __exit my_rng_driver_exit(void)
{
	misc_deregister(&rng.misc);
	iounmap(rng.regs);
}

module_init(my_rng_driver_init);
module_exit(my_rng_driver_exit);
MODULE_LICENSE("GPL");
