// SPDX-License-Identifier: GPL-2.0
/* The kernel APIs real hand-ins reach for (/work/shared/exercise/real-submissions.md), in one driver
 * that must compile against our model and against Linux alike (KernelOracleTests). Not graded. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/module.h>
#include <linux/init.h>
#include <linux/pci.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/fs.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/compat.h>
#include <linux/moduleparam.h>

static int major = 250;
module_param(major, int, 0444);
MODULE_PARM_DESC(major, "the major number");

static DEFINE_MUTEX(lock);
static DEFINE_SPINLOCK(slock);
static void __iomem *regs;
static dev_t devno;
static struct cdev cdev;
static struct class *cls;

static long my_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	u32 v;
	unsigned long flags;

	mutex_lock(&lock);
	spin_lock_irqsave(&slock, flags);
	v = ioread32(regs);
	spin_unlock_irqrestore(&slock, flags);
	mutex_unlock(&lock);
	return copy_to_user((u32 __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static const struct file_operations fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = my_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice misc = { .minor = MISC_DYNAMIC_MINOR, .name = "my_rng_misc", .fops = &fops };

static int probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	resource_size_t start = pci_resource_start(pdev, 0), len = pci_resource_len(pdev, 0);
	int err = pci_enable_device(pdev);

	if (err)
		return err;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) || pdev->resource[0].start != start
	    || resource_size(&pdev->resource[0]) != len || pci_resource_end(pdev, 0) != start + len - 1)
		return -ENODEV;
	err = pci_request_regions(pdev, "my_rng");
	if (err)
		return err;
	if (!request_mem_region(start, len, "my_rng"))
		return -EBUSY;
	regs = pci_iomap(pdev, 0, 0);
	if (!regs)
		return -ENOMEM;
	pci_set_drvdata(pdev, regs);
	dev_info(&pdev->dev, "mapped %pa\n", &start);
	err = alloc_chrdev_region(&devno, 0, 1, "my_rng");
	if (err)
		return err;
	cdev_init(&cdev, &fops);
	err = cdev_add(&cdev, devno, 1);
	if (err)
		return err;
	cls = class_create("my_rng");
	if (IS_ERR(cls))
		return PTR_ERR(cls);
	device_create(cls, NULL, devno, NULL, "my_rng");
	return misc_register(&misc);
}

static void remove(struct pci_dev *pdev)
{
	misc_deregister(&misc);
	device_destroy(cls, devno);
	class_destroy(cls);
	cdev_del(&cdev);
	unregister_chrdev_region(devno, 1);
	pci_iounmap(pdev, pci_get_drvdata(pdev));
	release_mem_region(pci_resource_start(pdev, 0), pci_resource_len(pdev, 0));
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	pr_info("removed\n");
}

static const struct pci_device_id ids[] = { { PCI_DEVICE(0x1234, 0xcafe) }, { 0 } };
MODULE_DEVICE_TABLE(pci, ids);

static struct pci_driver drv = { .name = "my_rng", .id_table = ids, .probe = probe, .remove = remove };
module_pci_driver(drv);
MODULE_LICENSE("GPL");
