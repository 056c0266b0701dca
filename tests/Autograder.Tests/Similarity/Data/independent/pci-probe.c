#include <linux/module.h>
#include <linux/pci.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/spinlock.h>

#define DRV_NAME "my_rng_driver"
#define VENDOR_ID 0x1234
#define DEVICE_ID 0xcafe

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)

struct rng_dev {
	void __iomem *mmio;
	spinlock_t lock;
};

static struct rng_dev rng;

static long my_rng_unlocked_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	unsigned int __user *user = (unsigned int __user *)arg;
	unsigned long flags;
	unsigned int x;

	switch (cmd) {
	case MY_RNG_IOCTL_SEED:
		if (get_user(x, user))
			return -EFAULT;
		spin_lock_irqsave(&rng.lock, flags);
		iowrite32(x, rng.mmio + 4);
		spin_unlock_irqrestore(&rng.lock, flags);
		return 0;
	case MY_RNG_IOCTL_RAND:
		spin_lock_irqsave(&rng.lock, flags);
		x = ioread32(rng.mmio);
		spin_unlock_irqrestore(&rng.lock, flags);
		return put_user(x, user);
	}
	return -ENOTTY;
}

static const struct file_operations my_rng_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = my_rng_unlocked_ioctl,
};

static int my_rng_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret;

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_regions(pdev, DRV_NAME);
	if (ret)
		goto disable;
	rng.mmio = pci_iomap(pdev, 0, 0);
	if (!rng.mmio) {
		ret = -ENOMEM;
		goto release;
	}
	spin_lock_init(&rng.lock);
	ret = register_chrdev(250, DRV_NAME, &my_rng_fops);
	if (ret < 0)
		goto unmap;
	dev_info(&pdev->dev, "my_rng_driver loaded, registered ioctls 0x%x (get a random number) and 0x%x (seed the generator)\n",
		 MY_RNG_IOCTL_RAND, MY_RNG_IOCTL_SEED);
	return 0;

unmap:
	pci_iounmap(pdev, rng.mmio);
release:
	pci_release_regions(pdev);
disable:
	pci_disable_device(pdev);
	return ret;
}

static void my_rng_remove(struct pci_dev *pdev)
{
	unregister_chrdev(250, DRV_NAME);
	pci_iounmap(pdev, rng.mmio);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

static const struct pci_device_id my_rng_ids[] = {
	{ PCI_DEVICE(VENDOR_ID, DEVICE_ID) },
	{ 0, }
};
MODULE_DEVICE_TABLE(pci, my_rng_ids);

static struct pci_driver my_rng_pci_driver = {
	.name = DRV_NAME,
	.id_table = my_rng_ids,
	.probe = my_rng_probe,
	.remove = my_rng_remove,
};

module_pci_driver(my_rng_pci_driver);
MODULE_LICENSE("GPL");
