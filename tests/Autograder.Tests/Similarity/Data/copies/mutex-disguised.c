// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/io.h>

/* Hardware description */
#define DEV_PHYS    0xfebf1000UL
#define DEV_LEN     0x1000
#define OFF_RANDOM  0x0
#define OFF_SEED    0x4
#define DEV_MAJOR   250
#define DEV_NAME    "my_rng_driver"

#define IOCTL_RANDOM _IOR('q', 1, unsigned int)
#define IOCTL_SEED   _IOW('q', 1, unsigned int)

static void __iomem *hw;
static DEFINE_MUTEX(hw_mutex);

/* write a new seed into the generator */
static long set_seed(unsigned int __user *src)
{
    u32 seed_value;
    if (get_user(seed_value, src)) return -EFAULT;
    mutex_lock(&hw_mutex);
    writel(seed_value, hw + OFF_SEED);
    mutex_unlock(&hw_mutex);
    return 0;
}

/* read one number from the generator */
static long get_random(unsigned int __user *dst)
{
    u32 number;
    mutex_lock(&hw_mutex);
    number = readl(hw + OFF_RANDOM);
    mutex_unlock(&hw_mutex);
    return put_user(number, dst);
}

static void __exit my_exit(void)
{
    unregister_chrdev(DEV_MAJOR, DEV_NAME);
    iounmap(hw);
}

static long handle_ioctl(struct file *file, unsigned int command, unsigned long argument)
{
    void __user *p = (void __user *)argument;
    if (command == IOCTL_RANDOM) return get_random(p);
    if (command == IOCTL_SEED) return set_seed(p);
    return -ENOTTY;
}

static const struct file_operations my_fops = { .owner = THIS_MODULE, .unlocked_ioctl = handle_ioctl, };

static int __init my_init(void)
{
    int result;
    hw = ioremap(DEV_PHYS, DEV_LEN);
    if (!hw) return -ENOMEM;
    result = register_chrdev(DEV_MAJOR, DEV_NAME, &my_fops);
    if (result < 0) { iounmap(hw); return result; }
    pr_info("my_rng_driver loaded, registered ioctls 0x%x (get a random number) and 0x%x (seed the generator)\n", IOCTL_RANDOM, IOCTL_SEED);
    return 0;
}

module_init(my_init);
module_exit(my_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("random number generator");
