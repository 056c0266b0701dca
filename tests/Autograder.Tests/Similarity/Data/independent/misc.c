#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>

#define MY_RNG_IOCTL_RAND _IOR('q', 1, unsigned int)
#define MY_RNG_IOCTL_SEED _IOW('q', 1, unsigned int)
#define PHYS 0xfebf1000

static void __iomem *base;

static long do_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
    unsigned int val = 0;
    long ret = 0;

    if (cmd == MY_RNG_IOCTL_RAND) {
        val = ioread32(base);
        ret = copy_to_user((void __user *)arg, &val, 4) ? -EFAULT : 0;
    } else if (cmd == MY_RNG_IOCTL_SEED) {
        if (copy_from_user(&val, (void __user *)arg, 4))
            ret = -EFAULT;
        else
            iowrite32(val, base + 4);
    } else {
        ret = -ENOTTY;
    }
    return ret;
}

static const struct file_operations fops = {
    .owner          = THIS_MODULE,
    .unlocked_ioctl = do_ioctl,
};

static struct miscdevice rng_misc = {
    .minor = MISC_DYNAMIC_MINOR,
    .name  = "my_rng_driver",
    .fops  = &fops,
};

static int __init start(void)
{
    int r;

    base = ioremap(PHYS, 0x1000);
    if (base == NULL) {
        pr_err("my_rng: ioremap failed\n");
        return -ENOMEM;
    }
    r = misc_register(&rng_misc);
    if (r) {
        pr_err("my_rng: misc_register failed (%d)\n", r);
        iounmap(base);
        return r;
    }
    printk(KERN_INFO "my_rng_driver loaded, registered ioctls 0x%lx (get a random number) and 0x%lx (seed the generator) \n",
           (unsigned long)MY_RNG_IOCTL_RAND, (unsigned long)MY_RNG_IOCTL_SEED);
    return 0;
}

static void __exit stop(void)
{
    misc_deregister(&rng_misc);
    iounmap(base);
    printk(KERN_INFO "my_rng_driver unloaded\n");
}

module_init(start);
module_exit(stop);
MODULE_LICENSE("GPL");
