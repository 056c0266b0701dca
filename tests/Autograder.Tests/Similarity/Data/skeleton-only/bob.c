#include <linux/ioctl.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/io.h>

#define RAND_CMD _IOR('q', 1, unsigned int)
#define SEED_CMD _IOW('q', 1, unsigned int)
#define BASE_ADDR 0xfebf1000

void *mem = 0x0;

static long bob_ioctl(struct file *f, unsigned int c, unsigned long a) {
    switch (c) {
        case RAND_CMD:
            // not done yet
            break;
        case SEED_CMD:
            // not done yet
            break;
        default:
            return -ENOTTY;
    }
    return 0;
}

static struct file_operations bob_fops = { .unlocked_ioctl = bob_ioctl, };

static int __init bob_init(void) {
    mem = ioremap(BASE_ADDR, 4096);
    if(!mem) { printk(KERN_ERR "no mapping"); return -1; }
    if (register_chrdev(250, "my_rng_driver", &bob_fops) < 0) { printk(KERN_ERR "no chrdev\n"); return -1; }
    printk("my_rng_driver loaded, registered ioctls 0x%lx (get a random " "number) and 0x%lx (seed the generator) \n", RAND_CMD, SEED_CMD);
    return 0;
}

static void __exit bob_exit(void) {
    unregister_chrdev(250, "my_rng_driver");
    if(mem) iounmap(mem);
    printk(KERN_INFO "my_rng_driver unloaded\n");
}

module_init(bob_init);
module_exit(bob_exit);
