/*
 * Random number generator driver -- written for the virt-101 lab.
 * Author: (a student who did not write it)
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/ioctl.h>
#include <linux/io.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#define RNG_GET_RANDOM _IOR('q', 1, unsigned int)
#define RNG_SET_SEED   _IOW('q', 1, unsigned int)

#define RNG_PHYS_BASE 0xfebf1000

void *rng_regs = 0x0;

/* module teardown: release everything we took */
static void __exit rng_cleanup(void)
{
	unregister_chrdev(250, "my_rng_driver");
	if (rng_regs)
		iounmap(rng_regs);
	printk(KERN_INFO "my_rng_driver unloaded\n");
}

/* the ioctl entry point */
static long rng_dispatch(struct file *fp, unsigned int request, unsigned long user_ptr)
{
	unsigned int out_val;   /* value read from the device */
	unsigned int in_seed;   /* seed provided by the user */

	switch (request)
	{
	case RNG_GET_RANDOM:
		out_val = ioread32(rng_regs);   /* register 0 holds the next number */
		if (copy_to_user((unsigned int *)user_ptr, &out_val, sizeof(out_val)) != 0)
		{
			printk(KERN_ERR "rng: could not copy the number out\n");
			return -EFAULT;
		}
		break;
	case RNG_SET_SEED:
		if (copy_from_user(&in_seed, (unsigned int *)user_ptr, sizeof(in_seed)) != 0)
		{
			printk(KERN_ERR "rng: could not read the seed\n");
			return -EFAULT;
		}
		iowrite32(in_seed, rng_regs + 4);   /* register 4 takes the seed */
		break;
	default:
		return -ENOTTY;
	}
	return 0;
}

static struct file_operations rng_file_ops = { .unlocked_ioctl = rng_dispatch, };

static int __init rng_setup(void)
{
	rng_regs = ioremap(RNG_PHYS_BASE, 4096);
	if (!rng_regs)
	{
		printk(KERN_ERR "mapping the registers failed");
		return -ENOMEM;
	}
	if (register_chrdev(250, "my_rng_driver", &rng_file_ops) < 0)
	{
		printk(KERN_ERR "chrdev registration failed\n");
		iounmap(rng_regs);
		return -EBUSY;
	}
	printk("my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator) \n",
	       RNG_GET_RANDOM, RNG_SET_SEED);
	return 0;
}

module_init(rng_setup);
module_exit(rng_cleanup);
