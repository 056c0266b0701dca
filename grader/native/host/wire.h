/*
 * The grader <-> driver-host wire protocol, C side.
 *
 * MIRROR OF grader/Autograder.Core/Load/Protocol/Wire.cs: the two must stay in step (message
 * numbers, payload layouts, enum values, Layout constants). Change both or neither.
 *
 * Frame: u32 little-endian length of (type + payload), u8 type, payload. Integers little-endian;
 * strings and blobs are u32 byte length + bytes (UTF-8 for strings).
 *
 * Every kernel call (0x40..0x50) is answered by exactly one Reply, including those without a value
 * (Iounmap, MmioWrite, UnregisterChrdev, Printk, PciUnregisterDriver, Note, CdevDel), because any
 * of them may oops. The exceptions: Oops, after which the host sends nothing more and exits AG_EXIT_OOPS,
 * and the posted calls (0x51, 0x52), sent only when they cannot fail: a copy_to_user inside one of the
 * writable user runs the Ioctl named, an MMIO write inside a live mapping ioremap returned.
 *
 * Fork server (host.c --fork-server): Ready, then per Fork one Forked (the child's pid and the server's
 * fds of its pipes, which the grader opens through /proc and then says Attached), and one ChildEnded
 * once the child was reaped. The child's own frames (Ready, Results, kernel calls) go on its pipes.
 */
#ifndef AG_WIRE_H
#define AG_WIRE_H


enum ag_msg {
	AG_MSG_READY = 0x01,
	AG_MSG_LOAD_ASSEMBLY = 0x10,
	AG_MSG_BEGIN = 0x11,
	AG_MSG_INIT = 0x12,
	AG_MSG_IOCTL = 0x13,
	AG_MSG_EXIT = 0x14,
	AG_MSG_END = 0x15,
	AG_MSG_FORK = 0x16,
	AG_MSG_ATTACHED = 0x17,
	AG_MSG_COMPILE = 0x18, /* C# compile service only: never sent to a C host */
	AG_MSG_RESULT = 0x20,
	AG_MSG_FORKED = 0x21,
	AG_MSG_CHILD_ENDED = 0x22,
	AG_MSG_DIAGNOSTIC = 0x23, /* C# compile service only */
	AG_MSG_COMPILED = 0x24,
	AG_MSG_IOREMAP = 0x40,
	AG_MSG_IOUNMAP = 0x41,
	AG_MSG_MMIO_READ = 0x42,
	AG_MSG_MMIO_WRITE = 0x43,
	AG_MSG_COPY_TO_USER = 0x44,
	AG_MSG_COPY_FROM_USER = 0x45,
	AG_MSG_REGISTER_CHRDEV = 0x46,
	AG_MSG_UNREGISTER_CHRDEV = 0x47,
	AG_MSG_PRINTK = 0x48,
	AG_MSG_OOPS = 0x49,
	AG_MSG_PCI_GET_DEVICE = 0x4A,
	AG_MSG_PCI_RESOURCE = 0x4B,
	AG_MSG_PCI_REGISTER_DRIVER = 0x4C,
	AG_MSG_PCI_UNREGISTER_DRIVER = 0x4D,
	AG_MSG_NOTE = 0x4E,
	AG_MSG_CDEV_ADD = 0x4F,
	AG_MSG_CDEV_DEL = 0x50,
	AG_MSG_COPY_TO_USER_POSTED = 0x51,
	AG_MSG_MMIO_WRITE_POSTED = 0x52,
	AG_MSG_REPLY = 0x80,
};

enum ag_result_status {
	AG_RESULT_OK = 0,
	AG_RESULT_DRIVER_FAULT = 1,
	AG_RESULT_MISSING = 2,
	AG_RESULT_HOST_ERROR = 3,
	AG_RESULT_LOAD_ERROR = 4,
	AG_RESULT_FULL = 5, /* .NET worker only: Begin refused, the worker's heap is half used */
};

enum ag_reply_status {
	AG_REPLY_OK = 0,
	AG_REPLY_OOPS = 1,
};

enum ag_oops_kind {
	AG_OOPS_FAULT = 0,
	AG_OOPS_USER_DEREF = 1,
	AG_OOPS_IO_DEREF = 2,
	AG_OOPS_BUG = 3,
};

enum ag_api {
	AG_API_UNKNOWN = 0,
	AG_API_IOREAD8 = 1, AG_API_IOREAD16 = 2, AG_API_IOREAD32 = 3,
	AG_API_IOWRITE8 = 4, AG_API_IOWRITE16 = 5, AG_API_IOWRITE32 = 6,
	AG_API_READB = 7, AG_API_READW = 8, AG_API_READL = 9,
	AG_API_WRITEB = 10, AG_API_WRITEW = 11, AG_API_WRITEL = 12,
	AG_API_READQ = 13, AG_API_WRITEQ = 14,
	AG_API_IOREMAP = 20, AG_API_PCI_IOMAP = 21, AG_API_PCI_IOREMAP_BAR = 22,
	AG_API_IOUNMAP = 23, AG_API_PCI_IOUNMAP = 24,
	AG_API_COPY_TO_USER = 30, AG_API_COPY_FROM_USER = 31, AG_API_PUT_USER = 32, AG_API_GET_USER = 33,
	AG_API_DEREF = 40,
};

#define AG_PROTOCOL_VERSION 2u
#define AG_USER_WINDOW_BASE 0x0000200000000000ull
#define AG_USER_WINDOW_SIZE 0x01000000ull
#define AG_IO_WINDOW_BASE 0x0000300000000000ull
#define AG_IO_WINDOW_SIZE 0x10000000ull
#define AG_KERNEL_HALF 0xffff800000000000ull
#define AG_MAX_FRAME (1u << 20)
#define AG_MAX_USER_RUNS 16u /* writable user runs an Ioctl names at most */
#define AG_MAX_POSTED_PER_COMMAND 256u /* posted calls per command; later ones ask */

/* The channel fds after start-up (the command line's --in-fd/--out-fd are moved here). */
#define AG_IN_FD 3
#define AG_OUT_FD 4

/* Named exit codes of the C host; the grader maps them to outcomes. */
#define AG_EXIT_OK 0           /* End received, or the grader closed the channel between commands */
#define AG_EXIT_OOPS 86        /* an Oops was reported (by the host or by the grader's Reply) */
#define AG_EXIT_PROTOCOL 87    /* the channel broke mid-call or a frame was malformed */
#define AG_EXIT_SETUP 88       /* bad arguments, or the address windows/sandbox could not be set up */
#define AG_EXIT_PARENT_GONE 89 /* the grader died before we started */
#define AG_EXIT_LOAD 90        /* the loader refused the driver's object (the submission's doing) */

#endif
