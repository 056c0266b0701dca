#ifndef AG_LINUX_VERSION_H
#define AG_LINUX_VERSION_H
/* The exercise's kernel: linux-6.6.4. */
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_CODE KERNEL_VERSION(6, 6, 4)
#define LINUX_VERSION_MAJOR 6
#define LINUX_VERSION_PATCHLEVEL 6
#define LINUX_VERSION_SUBLEVEL 4
#endif
