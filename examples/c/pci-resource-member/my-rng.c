// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)
#define MY_RNG_MAJOR 250

static void __iomem *regs;

static long my_rng_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int v;

	switch (cmd) {
	case MY_RNG_IOCTL_RAND:
		v = ioread32(regs);
		return copy_to_user((unsigned int __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
	case MY_RNG_IOCTL_SEED:
		if (copy_from_user(&v, (unsigned int __user *)arg, sizeof(v)))
			return -EFAULT;
		iowrite32(v, regs + 4);
		return 0;
	}
	return -ENOTTY;
}

static const struct file_operations my_rng_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = my_rng_ioctl,
};

static int my_rng_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int err;

	err = pci_enable_device(pdev);
	if (err)
		return err;
	err = pci_request_regions(pdev, "my_rng_driver");
	if (err)
		goto disable;
	if (!(pdev->resource[0].flags & IORESOURCE_MEM)) {
		err = -ENODEV;
		goto release;
	}
	regs = ioremap(pdev->resource[0].start, resource_size(&pdev->resource[0]));
	if (!regs) {
		err = -ENOMEM;
		goto release;
	}
	err = register_chrdev(MY_RNG_MAJOR, "my_rng_driver", &my_rng_fops);
	if (err < 0)
		goto unmap;
	dev_info(&pdev->dev, "my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator)\n",
		 MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
	return 0;

unmap:
	iounmap(regs);
release:
	pci_release_regions(pdev);
disable:
	pci_disable_device(pdev);
	return err;
}

static void my_rng_remove(struct pci_dev *pdev)
{
	unregister_chrdev(MY_RNG_MAJOR, "my_rng_driver");
	iounmap(regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

static const struct pci_device_id my_rng_ids[] = {
	{ PCI_DEVICE(0x1234, 0xcafe) },
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, my_rng_ids);

static struct pci_driver my_rng_pci_driver = {
	.name = "my_rng_driver",
	.id_table = my_rng_ids,
	.probe = my_rng_probe,
	.remove = my_rng_remove,
};

module_pci_driver(my_rng_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("virt-101 RNG device driver");
