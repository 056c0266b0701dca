#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/uaccess.h>
#include <linux/io.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)

#define DEVICE_BASE_PHYS_ADDR 0xfebf1000
#define MY_RNG_MAJOR 250
#define DEVICE_NAME "my_rng_driver"

struct my_rng {
	void __iomem *regs;
	struct cdev cdev;
	dev_t devt;
	struct class *class;
	struct device *node;
};

static struct my_rng rng;

static int my_rng_open(struct inode *inode, struct file *file)
{
	/* The usual cdev idiom: find the driver's state from the inode's cdev. */
	file->private_data = container_of(inode->i_cdev, struct my_rng, cdev);
	return 0;
}

static int my_rng_release(struct inode *inode, struct file *file)
{
	return 0;
}

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct my_rng *dev = file->private_data;
	unsigned int value;

	switch (cmd) {
	case MY_RNG_IOCTL_RAND:
		value = ioread32(dev->regs);
		if (copy_to_user((unsigned int __user *)arg, &value, sizeof(value)))
			return -EFAULT;
		return 0;
	case MY_RNG_IOCTL_SEED:
		if (copy_from_user(&value, (unsigned int __user *)arg, sizeof(value)))
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
	.release = my_rng_release,
	.unlocked_ioctl = my_rng_ioctl,
};

static int __init my_rng_driver_init(void)
{
	int ret;

	rng.regs = ioremap(DEVICE_BASE_PHYS_ADDR, 4096);
	if (!rng.regs) {
		pr_err("my_rng_driver: cannot map the device registers\n");
		return -ENOMEM;
	}

	rng.devt = MKDEV(MY_RNG_MAJOR, 0);
	ret = register_chrdev_region(rng.devt, 1, DEVICE_NAME);
	if (ret < 0) {
		pr_err("my_rng_driver: major %d is taken\n", MY_RNG_MAJOR);
		goto err_unmap;
	}

	cdev_init(&rng.cdev, &my_rng_fops);
	rng.cdev.owner = THIS_MODULE;
	ret = cdev_add(&rng.cdev, rng.devt, 1);
	if (ret < 0)
		goto err_region;

	rng.class = class_create(THIS_MODULE, "my_rng");
	if (IS_ERR(rng.class)) {
		ret = PTR_ERR(rng.class);
		goto err_cdev;
	}

	rng.node = device_create(rng.class, NULL, rng.devt, NULL, DEVICE_NAME);
	if (IS_ERR(rng.node)) {
		ret = PTR_ERR(rng.node);
		goto err_class;
	}

	pr_info("my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator)\n",
		MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
	return 0;

err_class:
	class_destroy(rng.class);
err_cdev:
	cdev_del(&rng.cdev);
err_region:
	unregister_chrdev_region(rng.devt, 1);
err_unmap:
	iounmap(rng.regs);
	return ret;
}

static void __exit my_rng_driver_exit(void)
{
	device_destroy(rng.class, rng.devt);
	class_destroy(rng.class);
	cdev_del(&rng.cdev);
	unregister_chrdev_region(rng.devt, 1);
	iounmap(rng.regs);
	pr_info("my_rng_driver unloaded\n");
}

module_init(my_rng_driver_init);
module_exit(my_rng_driver_exit);
MODULE_LICENSE("GPL");
