#include <linux/ioctl.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>

#define S0 "xxxxxxxxxxxxxxxx"
#define S1 S0 S0
#define S2 S1 S1
#define S3 S2 S2
#define S4 S3 S3
#define S5 S4 S4
#define S6 S5 S5
#define S7 S6 S6
#define S8 S7 S7
#define S9 S8 S8
#define S10 S9 S9
#define S11 S10 S10
#define S12 S11 S11
#define S13 S12 S12
#define S14 S13 S13
#define S15 S14 S14
#define S16 S15 S15
#define S17 S16 S16
#define S18 S17 S17
#define S19 S18 S18
#define S20 S19 S19
#define S21 S20 S20
#define S22 S21 S21
_Static_assert(0, S22);

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)

#define DEVICE_BASE_PHYS_ADDR 0xfebf1000

void __iomem *devmem = 0x0;

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int value;

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

	default:
		return -ENOTTY; // unknown command
	}

	return 0;
}

static struct file_operations my_rng_fops = {
	.unlocked_ioctl = my_rng_ioctl,
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

	printk("my_rng_driver loaded, registered ioctls 0x%lx (get a random "
		"number) and 0x%lx (seed the generator) \n", MY_RNG_IOCTL_RAND,
		MY_RNG_IOCTL_SEED);
	return 0;
}

static void __exit my_rng_driver_exit(void)
{
	unregister_chrdev(250, "my_rng_driver");

	if (devmem)
		iounmap(devmem);

	printk(KERN_INFO "my_rng_driver unloaded\n");
}

module_init(my_rng_driver_init);
module_exit(my_rng_driver_exit);
