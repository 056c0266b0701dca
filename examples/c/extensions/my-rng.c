#include <linux/ioctl.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>
#include <linux/atomic.h>
#include <linux/compat.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)
/* Extensions seen in real hand-ins: a 64-bit RAND from a wider register, and a mode register. */
#define MY_RNG_IOCTL_RAND64 _IOR('q', 2, u64)
#define MY_RNG_IOCTL_SETMODE _IOW('q', 2, unsigned int)
#define MY_RNG_IOCTL_GETMODE _IOR('q', 3, unsigned int)

#define DEVICE_BASE_PHYS_ADDR 0xfebf1000

void __iomem *devmem = 0x0;

/* Also seen: a /proc file with statistics, and a compat_ioctl for 32-bit callers. */
static atomic_t ioctls = ATOMIC_INIT(0);

static int my_rng_stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d ioctls\n", atomic_read(&ioctls));
	return 0;
}
DEFINE_PROC_SHOW_ATTRIBUTE(my_rng_stats);

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int value;

	atomic_inc(&ioctls);
	switch (cmd) {
	case MY_RNG_IOCTL_RAND:
		/* Application requests a new random number */
		value = ioread32(devmem);
		if (copy_to_user((unsigned int __user *)arg, &value, sizeof(value)))
			return -EFAULT;
		break;

	case MY_RNG_IOCTL_SEED:
		/* Application requests to seed the RNG */
		if (copy_from_user(&value, (unsigned int __user *)arg, sizeof(value)))
			return -EFAULT;
		iowrite32(value, devmem + 4);
		break;

	case MY_RNG_IOCTL_RAND64: {
		u64 wide = ((u64)ioread32(devmem + 0xc) << 32) | ioread32(devmem + 8);
		if (copy_to_user((u64 __user *)arg, &wide, sizeof(wide)))
			return -EFAULT;
		break;
	}

	case MY_RNG_IOCTL_SETMODE:
		if (get_user(value, (unsigned int __user *)arg))
			return -EFAULT;
		iowrite32(value, devmem + 8);
		break;

	case MY_RNG_IOCTL_GETMODE:
		value = ioread32(devmem + 8);
		if (put_user(value, (unsigned int __user *)arg))
			return -EFAULT;
		break;

	default:
		return -ENOTTY; // unknown command
	}

	return 0;
}

static struct file_operations my_rng_fops = {
	.unlocked_ioctl = my_rng_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int __init my_rng_driver_init(void)
{
	devmem = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);

	if (!devmem) {
		printk(KERN_ERR "Failed to map device registers in memory");
		return -ENOMEM;
	}

	if (register_chrdev(250, "my_rng_driver", &my_rng_fops) < 0) {
		printk(KERN_ERR "Failed to register my_rng_driver\n");
		iounmap(devmem);
		devmem = NULL;
		return -EBUSY;
	}

	if (!proc_create("my_rng_stats", 0444, NULL, &my_rng_stats_proc_ops))
		printk(KERN_WARNING "my_rng_driver: no /proc/my_rng_stats\n");

	printk("my_rng_driver loaded, registered ioctls 0x%lx (get a random "
		"number) and 0x%lx (seed the generator) \n", MY_RNG_IOCTL_RAND,
		MY_RNG_IOCTL_SEED);
	return 0;
}

static void __exit my_rng_driver_exit(void)
{
	remove_proc_entry("my_rng_stats", NULL);
	unregister_chrdev(250, "my_rng_driver");

	if (devmem)
		iounmap(devmem);

	printk(KERN_INFO "my_rng_driver unloaded\n");
}

module_init(my_rng_driver_init);
module_exit(my_rng_driver_exit);
