/*
 * The kernel model a C driver is linked against. Compiled like a driver (freestanding, against
 * <ag/kernel.h>) so every struct layout is the driver's own; the few libc functions it uses are
 * declared below.
 *
 * The model holds no state the grader judges: ioremap, MMIO, user copies, chrdev and PCI calls and
 * printk are forwarded over the channel and answered by the grader's simulated kernel. What stays
 * here is only what the driver needs to keep running (its fops pointers, pci_dev structs, locks).
 */
#include <ag/kernel.h>

#include "channel.h"
#include "model.h"

void *malloc(unsigned long size);
void *calloc(unsigned long n, unsigned long size);
void *realloc(void *p, unsigned long size);
void free(void *p);
unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);

#define AG_PRINTK_MAX 1024
#define AG_COPY_CHUNK (64u * 1024u)

/* ---- printk, BUG, panic ------------------------------------------------------------------- */

/* Set when the grader's reply says its dmesg is full: a log flood then costs no more round trips. */
static int ag_dmesg_full;

int vprintk(const char *fmt, va_list args)
{
	char buf[AG_PRINTK_MAX];
	struct ag_reply reply;
	/* Past the grader's dmesg cap nothing more is kept: a flood then costs no formatting either. */
	if (ag_dmesg_full)
		return 0;
	int n = vsnprintf(buf, sizeof buf, fmt, args);
	ag_begin(AG_MSG_PRINTK);
	ag_str(buf);
	ag_call(&reply);
	ag_dmesg_full = reply.a != 0;
	return n < 0 ? 0 : (n < (int)sizeof buf ? n : (int)sizeof buf - 1);
}

int printk(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	int n = vprintk(fmt, args);
	va_end(args);
	return n;
}

static __noreturn void oops(unsigned char kind, unsigned long long address, const char *message)
{
	ag_begin(AG_MSG_OOPS);
	ag_u8(kind);
	ag_u64(address);
	ag_str(message);
	ag_send();
	ag_sys_exit(AG_EXIT_OOPS);
}

void __ag_bug(const char *file, int line)
{
	char buf[256];
	snprintf(buf, sizeof buf, "kernel BUG at %s:%d!", file, line);
	oops(AG_OOPS_BUG, 0, buf);
}

void panic(const char *fmt, ...)
{
	char buf[AG_PRINTK_MAX];
	int n = snprintf(buf, sizeof buf, "Kernel panic - not syncing: ");
	va_list args;
	va_start(args, fmt);
	vsnprintf(buf + n, sizeof buf - (unsigned long)n, fmt, args);
	va_end(args);
	oops(AG_OOPS_BUG, 0, buf);
}

int __ag_pr_debug(const char *fmt)
{
	/* Compiled out in a default kernel: only a note (bounded by the grader) says it was called. */
	char buf[160];
	snprintf(buf, sizeof buf, "pr_debug printed nothing (no DEBUG, no dynamic debug): \"%.120s\"", fmt ? fmt : "(null)");
	ag_begin(AG_MSG_NOTE);
	ag_str(buf);
	ag_call(NULL);
	return 0;
}

int __ag_warn(const char *file, int line)
{
	printk(KERN_WARNING "WARNING: CPU: 0 PID: 1 at %s:%d\n", file, line);
	return 1;
}

/* ---- string helpers the kernel has and glibc lacks ------------------------------------------ */

int vscnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	if (size == 0)
		return 0;
	int n = vsnprintf(buf, size, fmt, args);
	if (n < 0)
		return 0;
	return (size_t)n < size ? n : (int)(size - 1);
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	int n = vscnprintf(buf, size, fmt, args);
	va_end(args);
	return n;
}

ssize_t strscpy(char *dest, const char *src, size_t count)
{
	if (count == 0)
		return -E2BIG;
	size_t i = 0;
	for (; i + 1 < count && src[i]; i++)
		dest[i] = src[i];
	dest[i] = '\0';
	return src[i] ? -E2BIG : (ssize_t)i;
}

size_t strlcpy(char *dest, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len >= size ? size - 1 : len;
		memcpy(dest, src, n);
		dest[n] = '\0';
	}
	return len;
}

char *kasprintf(gfp_t gfp, const char *fmt, ...)
{
	(void)gfp;
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	char *p = malloc((unsigned long)n + 1);
	if (!p)
		return NULL;
	va_start(args, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, args);
	va_end(args);
	return p;
}

static int parse_ul(const char *s, unsigned int base, unsigned long *res)
{
	char *end;
	if (!*s || *s == '-')
		return -EINVAL;
	unsigned long v = strtoul(s, &end, (int)base);
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res) { return parse_ul(s, base, res); }

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long v;
	int err = parse_ul(s, base, &v);
	if (err)
		return err;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = (unsigned int)v;
	return 0;
}

int kstrtol(const char *s, unsigned int base, long *res)
{
	char *end;
	if (!*s)
		return -EINVAL;
	long v = strtol(s, &end, (int)base);
	if (*end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	long v;
	int err = kstrtol(s, base, &v);
	if (err)
		return err;
	if (v > INT_MAX || v < INT_MIN)
		return -ERANGE;
	*res = (int)v;
	return 0;
}

unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base)
{
	return strtoul(cp, endp, (int)base);
}

/* ---- memory ------------------------------------------------------------------------------- */

void *kmalloc(size_t size, gfp_t flags)
{
	return (flags & __GFP_ZERO) ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
}
void *kzalloc(size_t size, gfp_t flags) { (void)flags; return calloc(1, size ? size : 1); }
void *kcalloc(size_t n, size_t size, gfp_t flags) { (void)flags; return calloc(n ? n : 1, size ? size : 1); }
void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, flags);
}
void *krealloc(const void *p, size_t new_size, gfp_t flags) { (void)flags; return realloc((void *)p, new_size ? new_size : 1); }
void kfree(const void *p) { free((void *)p); }
void kfree_sensitive(const void *p) { free((void *)p); }
char *kstrdup(const char *s, gfp_t gfp)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = kmalloc(n, gfp);
	if (p)
		memcpy(p, s, n);
	return p;
}
void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);
	if (p)
		memcpy(p, src, len);
	return p;
}
void *vmalloc(unsigned long size) { return malloc(size ? size : 1); }
void *vzalloc(unsigned long size) { return calloc(1, size ? size : 1); }
void vfree(const void *addr) { free((void *)addr); }
void *kvmalloc(size_t size, gfp_t flags) { return kmalloc(size, flags); }
void *kvzalloc(size_t size, gfp_t flags) { return kzalloc(size, flags); }
void kvfree(const void *addr) { free((void *)addr); }

/* ---- locks: one thread runs the driver, so taking a held lock is the kernel's hang ---------- */

void mutex_lock(struct mutex *lock)
{
	if (lock->__ag_locked)
		oops(AG_OOPS_BUG, (unsigned long long)(unsigned long)lock,
		     "mutex_lock() on a mutex this task already holds: the kernel would deadlock here");
	lock->__ag_locked = 1;
}
void mutex_unlock(struct mutex *lock) { lock->__ag_locked = 0; }
int mutex_trylock(struct mutex *lock)
{
	if (lock->__ag_locked)
		return 0;
	lock->__ag_locked = 1;
	return 1;
}
int mutex_lock_interruptible(struct mutex *lock) { mutex_lock(lock); return 0; }
int mutex_lock_killable(struct mutex *lock) { mutex_lock(lock); return 0; }
void spin_lock(spinlock_t *lock)
{
	if (lock->__ag_locked)
		oops(AG_OOPS_BUG, (unsigned long long)(unsigned long)lock,
		     "spin_lock() on a spinlock this CPU already holds: the kernel would deadlock here");
	lock->__ag_locked = 1;
}
void spin_unlock(spinlock_t *lock) { lock->__ag_locked = 0; }
int spin_trylock(spinlock_t *lock)
{
	if (lock->__ag_locked)
		return 0;
	lock->__ag_locked = 1;
	return 1;
}

/* ---- randomness, time, scheduling (local; no device or user state) ------------------------ */

static u64 g_rng_state = 0x9e3779b97f4a7c15ULL;

u64 get_random_u64(void)
{
	/* xorshift64*: the driver's own entropy source, never the device's. */
	g_rng_state ^= g_rng_state >> 12;
	g_rng_state ^= g_rng_state << 25;
	g_rng_state ^= g_rng_state >> 27;
	return g_rng_state * 0x2545f4914f6cdd1dULL;
}
u32 get_random_u32(void) { return (u32)(get_random_u64() >> 32); }
u16 get_random_u16(void) { return (u16)get_random_u32(); }
u8 get_random_u8(void) { return (u8)get_random_u32(); }
u32 get_random_u32_below(u32 ceil) { return ceil ? (u32)(((u64)get_random_u32() * ceil) >> 32) : 0; }
void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = get_random_u8();
}

/* Sleeps cost no time here: the device is always ready, and a driver that loops on a sleep is
 * stopped by the CPU limit instead of the clock. */
volatile unsigned long jiffies = 4294937296UL;
static u64 g_ns;
void msleep(unsigned int msecs) { jiffies += msecs_to_jiffies(msecs); g_ns += (u64)msecs * 1000000ULL; }
unsigned long msleep_interruptible(unsigned int msecs) { msleep(msecs); return 0; }
void ssleep(unsigned int seconds) { msleep(seconds * 1000U); }
void usleep_range(unsigned long min, unsigned long max) { (void)max; g_ns += min * 1000ULL; }
void udelay(unsigned long usecs) { g_ns += usecs * 1000ULL; }
void ndelay(unsigned long nsecs) { g_ns += nsecs; }
void mdelay(unsigned long msecs) { msleep((unsigned int)msecs); }
void fsleep(unsigned long usecs) { g_ns += usecs * 1000ULL; }
unsigned long msecs_to_jiffies(const unsigned int m) { return (m + (1000U / HZ) - 1) / (1000U / HZ); }
unsigned int jiffies_to_msecs(const unsigned long j) { return (unsigned int)(j * (1000U / HZ)); }
u64 ktime_get_ns(void) { return g_ns += 1000; }
void schedule(void) { jiffies++; }
void cond_resched(void) { }
static struct task_struct g_task = { 1, "ioctl-caller" };
struct task_struct *__ag_current = &g_task;

/* ---- user memory (grader-side) ------------------------------------------------------------ */

/* Address ranges a posted call must lie wholly inside (see the posted calls in wire.h). */
struct range {
	unsigned long long start, length; /* length 0: an empty slot, inside which nothing lies */
};

static int within(const struct range *ranges, unsigned int count, unsigned long long address, unsigned long long n)
{
	for (unsigned int i = 0; i < count; i++)
		if (address >= ranges[i].start && address - ranges[i].start <= ranges[i].length &&
		    n <= ranges[i].length - (address - ranges[i].start))
			return 1;
	return 0;
}

/* The user's writable pages as the current Ioctl named them: a copy_to_user wholly inside one cannot
 * fail, so it is posted (no round trip). Pages are never unmapped, so the runs stay true. */
static struct range g_runs[AG_MAX_USER_RUNS];
static unsigned int g_nruns;
static unsigned int g_posted; /* this command's posted calls (the grader refuses more than the limit) */

void ag_model_begin_command(void)
{
	g_posted = 0;
}

static int may_post(void)
{
	if (g_posted >= AG_MAX_POSTED_PER_COMMAND)
		return 0;
	g_posted++;
	return 1;
}

void ag_model_read_user_runs(void)
{
	unsigned int n = ag_rd_u32();
	for (unsigned int i = 0; i < n && i < AG_MAX_USER_RUNS; i++) {
		g_runs[i].start = ag_rd_u64();
		g_runs[i].length = ag_rd_u64();
	}
	g_nruns = n > AG_MAX_USER_RUNS ? 0 : n;
}

static unsigned long to_user(void __user *to, const void *from, unsigned long n, unsigned char api)
{
	if (n && n <= AG_COPY_CHUNK && within(g_runs, g_nruns, (unsigned long long)(unsigned long)to, n) && may_post()) {
		ag_begin(AG_MSG_COPY_TO_USER_POSTED);
		ag_u64((unsigned long long)(unsigned long)to);
		ag_u8(api);
		ag_blob(from, (unsigned int)n);
		ag_send();
		return 0;
	}
	unsigned long done = 0;
	while (done < n) {
		unsigned int chunk = n - done > AG_COPY_CHUNK ? AG_COPY_CHUNK : (unsigned int)(n - done);
		struct ag_reply r;
		ag_begin(AG_MSG_COPY_TO_USER);
		ag_u64((unsigned long long)(unsigned long)to + done);
		ag_u8(api);
		ag_blob((const char *)from + done, chunk);
		ag_call(&r);
		if (r.a > chunk)
			r.a = chunk;
		done += chunk - (unsigned long)r.a;
		if (r.a)
			break;
	}
	return n - done;
}

static unsigned long from_user(void *to, const void __user *from, unsigned long n, unsigned char api)
{
	unsigned long done = 0;
	while (done < n) {
		unsigned int chunk = n - done > AG_COPY_CHUNK ? AG_COPY_CHUNK : (unsigned int)(n - done);
		struct ag_reply r;
		ag_begin(AG_MSG_COPY_FROM_USER);
		ag_u64((unsigned long long)(unsigned long)from + done);
		ag_u32(chunk);
		ag_u8(api);
		ag_call(&r);
		unsigned int got = r.blob_len < chunk ? r.blob_len : chunk;
		memcpy((char *)to + done, r.blob, got);
		if (got < chunk)
			memset((char *)to + done + got, 0, chunk - got);
		if (r.a > chunk)
			r.a = chunk;
		done += chunk - (unsigned long)r.a;
		if (r.a) {
			/* As Linux: what could not be copied is zero-filled. */
			memset((char *)to + done, 0, n - done);
			break;
		}
	}
	return n - done;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return to_user(to, from, n, AG_API_COPY_TO_USER);
}

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return from_user(to, from, n, AG_API_COPY_FROM_USER);
}

unsigned long clear_user(void __user *to, unsigned long n)
{
	static const char zeros[4096];
	unsigned long done = 0;
	while (done < n) {
		unsigned long chunk = n - done > sizeof zeros ? sizeof zeros : n - done;
		unsigned long left = to_user((char __user *)to + done, zeros, chunk, AG_API_COPY_TO_USER);
		done += chunk - left;
		if (left)
			break;
	}
	return n - done;
}

long strncpy_from_user(char *dst, const char __user *src, long count)
{
	for (long i = 0; i < count; i++) {
		if (from_user(dst + i, src + i, 1, AG_API_COPY_FROM_USER))
			return -EFAULT;
		if (!dst[i])
			return i;
	}
	return count;
}

int __ag_put_user(const void *kval, void __user *uptr, unsigned long size)
{
	return to_user(uptr, kval, size, AG_API_PUT_USER) ? -EFAULT : 0;
}

int __ag_get_user(void *kval, const void __user *uptr, unsigned long size)
{
	if (from_user(kval, uptr, size, AG_API_GET_USER)) {
		memset(kval, 0, size);
		return -EFAULT;
	}
	return 0;
}

ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from, size_t available)
{
	loff_t pos = *ppos;
	if (pos < 0)
		return -EINVAL;
	if ((size_t)pos >= available || !count)
		return 0;
	size_t n = available - (size_t)pos < count ? available - (size_t)pos : count;
	size_t left = copy_to_user(to, (const char *)from + pos, n);
	if (left == n)
		return -EFAULT;
	n -= left;
	*ppos = pos + (loff_t)n;
	return (ssize_t)n;
}

/* ---- MMIO (grader-side device) ------------------------------------------------------------ */

/* Live mappings as ioremap returned them: an MMIO write inside one cannot oops, so it is posted. */
#define AG_MAX_MAPS 8
static struct range g_maps[AG_MAX_MAPS];

static void __iomem *remap(unsigned long long phys, unsigned long long size, unsigned char api)
{
	struct ag_reply r;
	ag_begin(AG_MSG_IOREMAP);
	ag_u64(phys);
	ag_u64(size);
	ag_u8(api);
	ag_call(&r);
	for (int i = 0; r.a && i < AG_MAX_MAPS; i++) {
		if (!g_maps[i].length) {
			g_maps[i].start = r.a;
			g_maps[i].length = size;
			break;
		}
	}
	return (void __iomem *)(unsigned long)r.a;
}

static void unmap(const volatile void __iomem *addr, unsigned char api)
{
	/* Whatever the grader makes of it, no write through this address is posted again. */
	for (int i = 0; i < AG_MAX_MAPS; i++)
		if (g_maps[i].length && g_maps[i].start == (unsigned long long)(unsigned long)addr)
			g_maps[i].length = 0;
	ag_begin(AG_MSG_IOUNMAP);
	ag_u64((unsigned long long)(unsigned long)addr);
	ag_u8(api);
	ag_call(NULL);
}

static unsigned long long mmio_read(const volatile void __iomem *addr, unsigned char size, unsigned char api)
{
	struct ag_reply r;
	ag_begin(AG_MSG_MMIO_READ);
	ag_u64((unsigned long long)(unsigned long)addr);
	ag_u8(size);
	ag_u8(api);
	ag_call(&r);
	return r.a;
}

static void mmio_write(volatile void __iomem *addr, unsigned char size, unsigned long long value, unsigned char api)
{
	int posted = within(g_maps, AG_MAX_MAPS, (unsigned long long)(unsigned long)addr, size) && may_post();
	ag_begin(posted ? AG_MSG_MMIO_WRITE_POSTED : AG_MSG_MMIO_WRITE);
	ag_u64((unsigned long long)(unsigned long)addr);
	ag_u8(size);
	ag_u64(value);
	ag_u8(api);
	if (posted)
		ag_send();
	else
		ag_call(NULL);
}

void __iomem *ioremap(phys_addr_t offset, size_t size) { return remap(offset, size, AG_API_IOREMAP); }
void __iomem *ioremap_wc(phys_addr_t offset, size_t size) { return remap(offset, size, AG_API_IOREMAP); }
void __iomem *ioremap_uc(phys_addr_t offset, size_t size) { return remap(offset, size, AG_API_IOREMAP); }
void __iomem *ioremap_cache(phys_addr_t offset, size_t size) { return remap(offset, size, AG_API_IOREMAP); }
void iounmap(volatile void __iomem *addr) { unmap(addr, AG_API_IOUNMAP); }

unsigned int ioread8(const void __iomem *addr) { return (u8)mmio_read(addr, 1, AG_API_IOREAD8); }
unsigned int ioread16(const void __iomem *addr) { return (u16)mmio_read(addr, 2, AG_API_IOREAD16); }
unsigned int ioread32(const void __iomem *addr) { return (u32)mmio_read(addr, 4, AG_API_IOREAD32); }
void iowrite8(u8 value, void __iomem *addr) { mmio_write(addr, 1, value, AG_API_IOWRITE8); }
void iowrite16(u16 value, void __iomem *addr) { mmio_write(addr, 2, value, AG_API_IOWRITE16); }
void iowrite32(u32 value, void __iomem *addr) { mmio_write(addr, 4, value, AG_API_IOWRITE32); }
u8 readb(const volatile void __iomem *addr) { return (u8)mmio_read(addr, 1, AG_API_READB); }
u16 readw(const volatile void __iomem *addr) { return (u16)mmio_read(addr, 2, AG_API_READW); }
u32 readl(const volatile void __iomem *addr) { return (u32)mmio_read(addr, 4, AG_API_READL); }
u64 readq(const volatile void __iomem *addr) { return mmio_read(addr, 8, AG_API_READQ); }
void writeb(u8 value, volatile void __iomem *addr) { mmio_write(addr, 1, value, AG_API_WRITEB); }
void writew(u16 value, volatile void __iomem *addr) { mmio_write(addr, 2, value, AG_API_WRITEW); }
void writel(u32 value, volatile void __iomem *addr) { mmio_write(addr, 4, value, AG_API_WRITEL); }
void writeq(u64 value, volatile void __iomem *addr) { mmio_write(addr, 8, value, AG_API_WRITEQ); }

void memcpy_fromio(void *to, const volatile void __iomem *from, size_t count)
{
	for (size_t i = 0; i < count; i++)
		((u8 *)to)[i] = readb((const volatile char __iomem *)from + i);
}
void memcpy_toio(volatile void __iomem *to, const void *from, size_t count)
{
	for (size_t i = 0; i < count; i++)
		writeb(((const u8 *)from)[i], (volatile char __iomem *)to + i);
}
void memset_io(volatile void __iomem *addr, int value, size_t count)
{
	for (size_t i = 0; i < count; i++)
		writeb((u8)value, (volatile char __iomem *)addr + i);
}

/* ---- device nodes: a user-space matter in the VM; accepted, nothing kept ------------------- */

static void note(const char *text);

static struct device g_node;
struct class { const char *name; };
static struct class g_class;
struct class *class_create(const char *name)
{
	/* Linux 6.4+ signature; one class object serves every call, it is never dereferenced. */
	g_class.name = name;
	return &g_class;
}
void class_destroy(struct class *cls) { (void)cls; }
struct device *device_create(struct class *cls, struct device *parent, dev_t devt, void *drvdata,
	const char *fmt, ...)
{
	char node[64], text[160];
	va_list args;
	va_start(args, fmt);
	vsnprintf(node, sizeof node, fmt ? fmt : "", args);
	va_end(args);
	snprintf(text, sizeof text, "device_create: /dev/%s for %u:%u", node, MAJOR(devt), MINOR(devt));
	note(text);
	(void)cls;
	g_node.parent = parent;
	g_node.driver_data = drvdata;
	return &g_node;
}
void device_destroy(struct class *cls, dev_t devt) { (void)cls; (void)devt; }

/* ---- /proc and seq_file: read by the VM's user space, never by the grader; accepted --------- */

struct proc_dir_entry { int unused; };
static struct proc_dir_entry g_proc_entry;
static struct proc_dir_entry *proc_entry(const char *what, const char *name)
{
	char text[160];
	snprintf(text, sizeof text, "%s: /proc entry %s", what, name ? name : "");
	note(text);
	return &g_proc_entry;
}
struct proc_dir_entry *proc_create(const char *name, umode_t mode, struct proc_dir_entry *parent,
	const struct proc_ops *proc_ops)
{ (void)mode; (void)parent; (void)proc_ops; return proc_entry("proc_create", name); }
struct proc_dir_entry *proc_create_data(const char *name, umode_t mode, struct proc_dir_entry *parent,
	const struct proc_ops *proc_ops, void *data)
{ (void)mode; (void)parent; (void)proc_ops; (void)data; return proc_entry("proc_create", name); }
struct proc_dir_entry *proc_create_single_data(const char *name, umode_t mode, struct proc_dir_entry *parent,
	int (*show)(struct seq_file *, void *), void *data)
{ (void)mode; (void)parent; (void)show; (void)data; return proc_entry("proc_create", name); }
struct proc_dir_entry *proc_mkdir(const char *name, struct proc_dir_entry *parent)
{ (void)parent; return proc_entry("proc_mkdir", name); }
void proc_remove(struct proc_dir_entry *de) { (void)de; }
void remove_proc_entry(const char *name, struct proc_dir_entry *parent) { (void)name; (void)parent; }
void *pde_data(const struct inode *inode) { return inode ? inode->i_private : NULL; }
ssize_t seq_read(struct file *file, char __user *buf, size_t size, loff_t *ppos)
{ (void)file; (void)buf; (void)size; (void)ppos; return 0; }
loff_t seq_lseek(struct file *file, loff_t offset, int whence) { (void)file; (void)offset; (void)whence; return 0; }
int seq_open(struct file *file, const struct seq_operations *op) { (void)file; (void)op; return 0; }
int seq_release(struct inode *inode, struct file *file) { (void)inode; (void)file; return 0; }
int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data)
{ (void)file; (void)show; (void)data; return 0; }
int single_release(struct inode *inode, struct file *file) { (void)inode; (void)file; return 0; }
void seq_printf(struct seq_file *m, const char *fmt, ...) { (void)m; (void)fmt; }
void seq_puts(struct seq_file *m, const char *s) { (void)m; (void)s; }
void seq_putc(struct seq_file *m, char c) { (void)m; (void)c; }
int seq_write(struct seq_file *m, const void *data, size_t len) { (void)m; (void)data; (void)len; return 0; }

/* The grader calls unlocked_ioctl; this is what a 32-bit caller would reach. */
long compat_ptr_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!file->f_op || !file->f_op->unlocked_ioctl)
		return -ENOIOCTLCMD;
	return file->f_op->unlocked_ioctl(file, cmd, (unsigned long)compat_ptr((compat_uptr_t)arg));
}
loff_t no_llseek(struct file *file, loff_t offset, int whence) { (void)file; (void)offset; (void)whence; return -ESPIPE; }
loff_t noop_llseek(struct file *file, loff_t offset, int whence) { (void)offset; (void)whence; return file->f_pos; }
int nonseekable_open(struct inode *inode, struct file *filp) { (void)inode; (void)filp; return 0; }

/* ---- character devices: the grader keeps the table; we keep the fops to call ---------------- */

/* What the grader's Ioctl(major, ...) reaches: a register_chrdev's fops, an added cdev (whose ops are
 * read at open, as chrdev_open does) or a misc device. */
#define AG_MAX_CHRDEV 16
struct registration {
	int used;
	unsigned int major;
	unsigned int minor;
	const struct file_operations *fops;
	struct cdev *cdev;
	struct miscdevice *misc;
	struct file file;
	struct inode inode;
	int opened;
	int open_ret;
};
static struct registration g_chrdev[AG_MAX_CHRDEV];

static struct registration *new_registration(unsigned int major, unsigned int minor)
{
	for (int i = 0; i < AG_MAX_CHRDEV; i++) {
		if (!g_chrdev[i].used) {
			memset(&g_chrdev[i], 0, sizeof g_chrdev[i]);
			g_chrdev[i].used = 1;
			g_chrdev[i].major = major;
			g_chrdev[i].minor = minor;
			return &g_chrdev[i];
		}
	}
	return NULL;
}

static long long chrdev_call(unsigned int major, int has_ioctl, const char *name)
{
	struct ag_reply r;
	ag_begin(AG_MSG_REGISTER_CHRDEV);
	ag_u32(major);
	ag_u8(has_ioctl ? 1 : 0);
	ag_str(name ? name : "");
	ag_call(&r);
	return (long long)r.a;
}

static void unchrdev_call(unsigned int major, const char *name)
{
	ag_begin(AG_MSG_UNREGISTER_CHRDEV);
	ag_u32(major);
	ag_str(name ? name : "");
	ag_call(NULL);
}

int register_chrdev(unsigned int major, const char *name, const struct file_operations *fops)
{
	int ret = (int)chrdev_call(major, fops && fops->unlocked_ioctl, name);
	unsigned int key = major ? major : (unsigned int)ret;
	if (ret >= 0 && key) {
		struct registration *reg = new_registration(key, 0);
		if (reg)
			reg->fops = fops;
	}
	return ret;
}

void unregister_chrdev(unsigned int major, const char *name)
{
	unchrdev_call(major, name);
	for (int i = 0; i < AG_MAX_CHRDEV; i++)
		if (g_chrdev[i].used && g_chrdev[i].major == major && !g_chrdev[i].cdev && !g_chrdev[i].misc)
			memset(&g_chrdev[i], 0, sizeof g_chrdev[i]);
}

/* Regions are registrations without fops (the grader's table); their names are kept here only so
 * that unregister_chrdev_region, which has none, can name what it removes. */
#define AG_MAX_REGION 16
static struct { unsigned int major; char name[64]; } g_region[AG_MAX_REGION];

static void remember_region(unsigned int major, const char *name)
{
	for (int i = 0; i < AG_MAX_REGION; i++) {
		if (!g_region[i].major) {
			g_region[i].major = major;
			strscpy(g_region[i].name, name ? name : "", sizeof g_region[i].name);
			return;
		}
	}
}

int register_chrdev_region(dev_t from, unsigned int count, const char *name)
{
	(void)count;
	long long ret = chrdev_call(MAJOR(from), 0, name);
	if (ret < 0)
		return (int)ret;
	/* Major 0 asks for a dynamic one, as __register_chrdev_region does; the caller is not told which. */
	remember_region(MAJOR(from) ? MAJOR(from) : (unsigned int)ret, name);
	return 0;
}

int alloc_chrdev_region(dev_t *dev, unsigned int baseminor, unsigned int count, const char *name)
{
	(void)count;
	long long ret = chrdev_call(0, 0, name);
	if (ret < 0)
		return (int)ret;
	remember_region((unsigned int)ret, name);
	*dev = MKDEV((unsigned int)ret, baseminor);
	return 0;
}

void unregister_chrdev_region(dev_t from, unsigned int count)
{
	(void)count;
	const char *name = "";
	int slot = -1;
	for (int i = 0; i < AG_MAX_REGION; i++) {
		if (g_region[i].major && g_region[i].major == MAJOR(from)) {
			name = g_region[i].name;
			slot = i;
			break;
		}
	}
	unchrdev_call(MAJOR(from), name);
	if (slot >= 0)
		g_region[slot].major = 0;
}

void cdev_init(struct cdev *cdev, const struct file_operations *fops)
{
	memset(cdev, 0, sizeof *cdev);
	cdev->ops = fops;
}

struct cdev *cdev_alloc(void)
{
	/* Never freed: cdev_del drops the kernel's last reference, and this process ends soon after. */
	return calloc(1, sizeof(struct cdev));
}

int cdev_add(struct cdev *p, dev_t dev, unsigned int count)
{
	p->dev = dev;
	p->count = count;
	struct ag_reply r;
	ag_begin(AG_MSG_CDEV_ADD);
	ag_u32(MAJOR(dev));
	ag_u32(MINOR(dev));
	ag_u32(count);
	ag_u8(p->ops && p->ops->unlocked_ioctl ? 1 : 0);
	ag_str(p->kobj.name ? p->kobj.name : "");
	ag_call(&r);
	int ret = (int)(long long)r.a;
	if (ret >= 0) {
		struct registration *reg = new_registration(MAJOR(dev), MINOR(dev));
		if (reg)
			reg->cdev = p;
	}
	return ret;
}

void cdev_del(struct cdev *p)
{
	for (int i = 0; i < AG_MAX_CHRDEV; i++)
		if (g_chrdev[i].used && g_chrdev[i].cdev == p)
			memset(&g_chrdev[i], 0, sizeof g_chrdev[i]);
	ag_begin(AG_MSG_CDEV_DEL);
	ag_u32(MAJOR(p->dev));
	ag_u32(MINOR(p->dev));
	ag_u32(p->count);
	ag_call(NULL);
}

/* Every misc device shares major 10, so the grader's table holds one per driver. Dynamic minors
 * are handed out from 127 down, as misc_minor_alloc does. */
static struct device g_misc_node;
static unsigned int g_next_misc_minor = 127;

int misc_register(struct miscdevice *misc)
{
	int dynamic = misc->minor == MISC_DYNAMIC_MINOR;
	unsigned int minor = dynamic ? g_next_misc_minor : (unsigned int)misc->minor;
	int ret = (int)chrdev_call(MISC_MAJOR, misc->fops && misc->fops->unlocked_ioctl, misc->name);
	if (ret < 0)
		return ret;
	if (dynamic) {
		misc->minor = (int)minor;
		g_next_misc_minor--;
	}
	struct registration *reg = new_registration(MISC_MAJOR, minor);
	if (reg)
		reg->misc = misc;
	/* As misc_register's device_create: the node's drvdata is the miscdevice. */
	g_misc_node.parent = misc->parent;
	g_misc_node.driver_data = misc;
	g_misc_node.init_name = misc->name;
	misc->this_device = &g_misc_node;
	return 0;
}

void misc_deregister(struct miscdevice *misc)
{
	unchrdev_call(MISC_MAJOR, misc->name);
	for (int i = 0; i < AG_MAX_CHRDEV; i++)
		if (g_chrdev[i].used && g_chrdev[i].misc == misc)
			memset(&g_chrdev[i], 0, sizeof g_chrdev[i]);
}

/* ---- PCI: the grader's bus answers lookups; probes run here ------------------------------- */

#define AG_MAX_PCI 8
static struct pci_bus g_bus;
static struct pci_dev g_pdev[AG_MAX_PCI];
static int g_pdev_used;
struct binding {
	struct pci_driver *drv;
	struct pci_dev *pdev;
};
static struct binding g_bound[AG_MAX_PCI];

static void note(const char *text)
{
	ag_begin(AG_MSG_NOTE);
	ag_str(text);
	ag_call(NULL);
}

static void resource(struct pci_dev *dev, int bar, unsigned long long *start, unsigned long long *len)
{
	struct ag_reply r;
	ag_begin(AG_MSG_PCI_RESOURCE);
	ag_u64(dev ? dev->__ag_handle : 0);
	ag_u32((unsigned int)bar);
	ag_call(&r);
	*start = r.a;
	*len = r.b;
}

/* Reply b, when set, names the device found as vendor << 16 | device. */
static struct pci_dev *new_pdev(unsigned long long handle, unsigned long long ids, unsigned int vendor, unsigned int device)
{
	for (int i = 0; i < g_pdev_used; i++)
		if (g_pdev[i].__ag_handle == handle)
			return &g_pdev[i];
	if (g_pdev_used == AG_MAX_PCI)
		return NULL;
	struct pci_dev *p = &g_pdev[g_pdev_used++];
	memset(p, 0, sizeof *p);
	p->__ag_handle = handle;
	p->bus = &g_bus;
	p->devfn = 4 << 3;
	p->vendor = (unsigned short)(ids ? ids >> 16 : vendor);
	p->device = (unsigned short)(ids ? ids & 0xffff : device);
	p->subsystem_vendor = 0x1af4;
	p->subsystem_device = 0x1100;
	p->revision = 0x10;
	p->class = 0xff0000;
	/* The BARs as Linux's enumeration fills resource[] (the grader's bus knows them). */
	for (int bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		unsigned long long s, l;
		resource(p, bar, &s, &l);
		if (!l)
			continue;
		p->resource[bar].start = s;
		p->resource[bar].end = s + l - 1;
		p->resource[bar].flags = IORESOURCE_MEM;
		p->resource[bar].name = "0000:00:04.0";
	}
	return p;
}

struct pci_dev *pci_get_device(unsigned int vendor, unsigned int device, struct pci_dev *from)
{
	/* One device on our bus: a search continuing after a found device ends. */
	if (from)
		return NULL;
	struct ag_reply r;
	ag_begin(AG_MSG_PCI_GET_DEVICE);
	ag_u32(vendor);
	ag_u32(device);
	ag_call(&r);
	if (!r.a)
		return NULL;
	return new_pdev(r.a, r.b, vendor, device);
}

struct pci_dev *pci_get_subsys(unsigned int vendor, unsigned int device, unsigned int ss_vendor,
	unsigned int ss_device, struct pci_dev *from)
{
	(void)ss_vendor; (void)ss_device;
	return pci_get_device(vendor, device, from);
}

void pci_dev_put(struct pci_dev *dev) { (void)dev; }
struct pci_dev *pci_dev_get(struct pci_dev *dev) { return dev; }
int pci_enable_device(struct pci_dev *dev) { (void)dev; return 0; }
int pci_enable_device_mem(struct pci_dev *dev) { (void)dev; return 0; }
int pcim_enable_device(struct pci_dev *dev) { (void)dev; return 0; }
void pci_disable_device(struct pci_dev *dev) { (void)dev; }
void pci_set_master(struct pci_dev *dev) { (void)dev; }
void pci_clear_master(struct pci_dev *dev) { (void)dev; }
int pci_request_regions(struct pci_dev *dev, const char *name) { (void)dev; (void)name; return 0; }
void pci_release_regions(struct pci_dev *dev) { (void)dev; }
int pci_request_region(struct pci_dev *dev, int bar, const char *name) { (void)dev; (void)bar; (void)name; return 0; }
void pci_release_region(struct pci_dev *dev, int bar) { (void)dev; (void)bar; }


void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen)
{
	unsigned long long s, l;
	resource(dev, bar, &s, &l);
	if (!l)
		return NULL;
	if (maxlen && maxlen < l)
		l = maxlen;
	return remap(s, l, AG_API_PCI_IOMAP);
}

void __iomem *pci_ioremap_bar(struct pci_dev *dev, int bar)
{
	unsigned long long s, l;
	resource(dev, bar, &s, &l);
	if (!l)
		return NULL;
	return remap(s, l, AG_API_PCI_IOREMAP_BAR);
}

void pci_iounmap(struct pci_dev *dev, void __iomem *addr) { (void)dev; unmap(addr, AG_API_PCI_IOUNMAP); }

static int config(const struct pci_dev *dev, int where, unsigned int *val)
{
	/* The emulated device's config space, as QEMU presents it (read-only here). */
	switch (where) {
	case 0x00: *val = dev->vendor | (unsigned int)dev->device << 16; break;
	case 0x08: *val = dev->revision | dev->class << 8; break;
	case 0x2c: *val = dev->subsystem_vendor | (unsigned int)dev->subsystem_device << 16; break;
	default: *val = 0; break;
	}
	return 0;
}
int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val)
{
	unsigned int v;
	config(dev, where & ~3, &v);
	*val = v;
	return 0;
}
int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val)
{
	unsigned int v;
	config(dev, where & ~3, &v);
	*val = (u16)(v >> (8 * (where & 2)));
	return 0;
}
int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val)
{
	unsigned int v;
	config(dev, where & ~3, &v);
	*val = (u8)(v >> (8 * (where & 3)));
	return 0;
}
int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val) { (void)dev; (void)where; (void)val; return 0; }
int pci_write_config_word(const struct pci_dev *dev, int where, u16 val) { (void)dev; (void)where; (void)val; return 0; }
int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val) { (void)dev; (void)where; (void)val; return 0; }

static const struct pci_device_id *match(const struct pci_device_id *ids, const struct pci_dev *dev)
{
	for (; ids && (ids->vendor || ids->device || ids->subvendor || ids->class_mask); ids++) {
		if ((ids->vendor == PCI_ANY_ID || ids->vendor == dev->vendor) &&
		    (ids->device == PCI_ANY_ID || ids->device == dev->device))
			return ids;
	}
	return NULL;
}

int pci_register_driver(struct pci_driver *drv)
{
	const struct pci_device_id *ids = drv->id_table;
	unsigned int count = 0;
	while (ids && (ids[count].vendor || ids[count].device || ids[count].subvendor || ids[count].class_mask))
		count++;
	struct ag_reply r;
	ag_begin(AG_MSG_PCI_REGISTER_DRIVER);
	ag_str(drv->name ? drv->name : "");
	ag_u32(count);
	for (unsigned int i = 0; i < count; i++) {
		ag_u32(ids[i].vendor);
		ag_u32(ids[i].device);
	}
	ag_call(&r);
	if (!r.a || !drv->probe)
		return 0;
	struct pci_dev *pdev = new_pdev(r.a, r.b, count ? ids[0].vendor : 0, count ? ids[0].device : 0);
	if (!pdev)
		return 0;
	const struct pci_device_id *id = match(ids, pdev);
	char text[160];
	snprintf(text, sizeof text, "calling %s probe for %04x:%04x", drv->name ? drv->name : "?", pdev->vendor, pdev->device);
	note(text);
	int ret = drv->probe(pdev, id ? id : ids);
	if (ret < 0) {
		/* As the driver core does: the driver stays registered, the device unbound. */
		snprintf(text, sizeof text, "%s: probe of %s failed with error %d", drv->name ? drv->name : "?", pci_name(pdev), ret);
		note(text);
		return 0;
	}
	for (int i = 0; i < AG_MAX_PCI; i++) {
		if (!g_bound[i].drv) {
			g_bound[i].drv = drv;
			g_bound[i].pdev = pdev;
			break;
		}
	}
	return 0;
}

void pci_unregister_driver(struct pci_driver *drv)
{
	for (int i = 0; i < AG_MAX_PCI; i++) {
		if (g_bound[i].drv == drv) {
			struct pci_dev *pdev = g_bound[i].pdev;
			g_bound[i].drv = NULL;
			if (drv->remove) {
				note("calling remove");
				drv->remove(pdev);
			}
		}
	}
	ag_begin(AG_MSG_PCI_UNREGISTER_DRIVER);
	ag_str(drv->name ? drv->name : "");
	ag_call(NULL);
}

/* ---- entry points for host.c -------------------------------------------------------------- */

/* The driver's entry points, found by the loader (loader.c): module_init/module_exit define
 * __ag_initcall/__ag_exitcall; old-style modules name init_module/cleanup_module instead, which
 * <ag/kernel.h> renames so libc's init_module() can never stand in. */
static initcall_t *g_initcall;
static exitcall_t *g_exitcall;
static initcall_t g_init_module;
static exitcall_t g_cleanup_module;

void ag_model_set_entries(void *initcall, void *exitcall, void *init_module_fn, void *cleanup_module_fn)
{
	g_initcall = initcall;
	g_exitcall = exitcall;
	g_init_module = (initcall_t)init_module_fn;
	g_cleanup_module = (exitcall_t)cleanup_module_fn;
}

int ag_model_init(long long *ret)
{
	if (g_initcall && *g_initcall)
		*ret = (*g_initcall)();
	else if (g_init_module)
		*ret = g_init_module();
	else
		return AG_RESULT_MISSING;
	return AG_RESULT_OK;
}

int ag_model_exit(void)
{
	if (g_exitcall && *g_exitcall)
		(*g_exitcall)();
	else if (g_cleanup_module)
		g_cleanup_module();
	else
		return AG_RESULT_MISSING;
	return AG_RESULT_OK;
}

int ag_model_ioctl(unsigned int major, unsigned int cmd, unsigned long long arg, long long *ret, const char **why)
{
	for (int i = 0; i < AG_MAX_CHRDEV; i++) {
		struct registration *reg = &g_chrdev[i];
		if (!reg->used || reg->major != major)
			continue;
		/* chrdev_open takes the cdev's ops when the node is opened; misc_open the miscdevice's. */
		const struct file_operations *fops = reg->cdev ? reg->cdev->ops : reg->misc ? reg->misc->fops : reg->fops;
		if (!fops || !fops->unlocked_ioctl) {
			*why = "the registered file_operations has no unlocked_ioctl";
			return AG_RESULT_MISSING;
		}
		if (!reg->opened) {
			/* The user program opens /dev/my_rng_driver first: run the driver's open once. */
			reg->opened = 1;
			reg->inode.i_rdev = MKDEV(major, reg->minor);
			reg->inode.i_cdev = reg->cdev;
			reg->file.f_op = fops;
			reg->file.f_inode = &reg->inode;
			reg->file.f_mode = FMODE_READ | FMODE_WRITE;
			reg->file.f_flags = O_RDWR;
			if (reg->misc)
				reg->file.private_data = reg->misc;
			reg->open_ret = fops->open ? fops->open(&reg->inode, &reg->file) : 0;
			if (reg->open_ret) {
				char text[96];
				snprintf(text, sizeof text, "open() of the device node returned %d", reg->open_ret);
				note(text);
			}
		}
		if (reg->open_ret) {
			*ret = reg->open_ret;
			return AG_RESULT_OK;
		}
		*ret = fops->unlocked_ioctl(&reg->file, cmd, (unsigned long)arg);
		return AG_RESULT_OK;
	}
	*why = "no character device is registered under that major";
	return AG_RESULT_MISSING;
}
