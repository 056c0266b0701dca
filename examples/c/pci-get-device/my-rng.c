#include <linux/ioctl.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>
#include <linux/pci.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)

#define MY_RNG_VENDOR 0x1234
#define MY_RNG_DEVICE 0xcafe

static struct pci_dev *pdev;
static void __iomem *devmem;

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int value;

	switch (cmd) {
	case MY_RNG_IOCTL_RAND:
		value = ioread32(devmem);
		if (copy_to_user((void __user *)arg, &value, sizeof(value)))
			return -EFAULT;
		return 0;
	case MY_RNG_IOCTL_SEED:
		if (copy_from_user(&value, (void __user *)arg, sizeof(value)))
			return -EFAULT;
		iowrite32(value, devmem + 4);
		return 0;
	default:
		return -ENOTTY;
	}
}

static struct file_operations my_rng_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = my_rng_ioctl,
};

static int __init my_rng_driver_init(void)
{
	resource_size_t start;
	int ret;

	pdev = pci_get_device(MY_RNG_VENDOR, MY_RNG_DEVICE, NULL);
	if (!pdev) {
		printk(KERN_ERR "my_rng_driver: device %04x:%04x not found\n", MY_RNG_VENDOR, MY_RNG_DEVICE);
		return -ENODEV;
	}

	start = pci_resource_start(pdev, 0);
	devmem = ioremap(start, pci_resource_len(pdev, 0));
	if (!devmem) {
		pci_dev_put(pdev);
		return -ENOMEM;
	}

	ret = register_chrdev(250, "my_rng_driver", &my_rng_fops);
	if (ret < 0) {
		iounmap(devmem);
		pci_dev_put(pdev);
		return ret;
	}

	printk(KERN_INFO "my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator)\n",
	       MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
	return 0;
}

static void __exit my_rng_driver_exit(void)
{
	unregister_chrdev(250, "my_rng_driver");
	iounmap(devmem);
	pci_dev_put(pdev);
}

module_init(my_rng_driver_init);
module_exit(my_rng_driver_exit);
