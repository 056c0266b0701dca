/*
 * The autograder's kernel-API model for C drivers: one header behind every <linux/...> and <asm/...>
 * name a student includes (the real kernel headers pull each other in just as freely).
 *
 * Rules: no libc header (drivers compile -nostdinc -ffreestanding); macros and signatures follow
 * Linux 6.x so code that builds here builds in the kernel and vice versa. Functions marked "model"
 * are implemented in grader/native/host/model.c and forward every effect to the grader over the
 * channel; functions only declared here (request_irq, ...) are real kernel exports the model
 * lacks: the compiler reports them as a gap of the grader, not as the student's error.
 */
#ifndef AG_KERNEL_H
#define AG_KERNEL_H

/* ---- compiler.h ---------------------------------------------------------------------------- */
#define __user
#define __iomem
#define __kernel
#define __force
#define __rcu
#define __percpu
#define __bitwise
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __init
#define __exit
#define __initdata
#define __exitdata
#define __initconst
#define __read_mostly
#define __ro_after_init
#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#define __noreturn __attribute__((__noreturn__))
#define __packed __attribute__((__packed__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __maybe_unused __attribute__((__unused__))
#define __always_unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define __weak __attribute__((__weak__))
#define __cold __attribute__((__cold__))
#define __printf(a, b) __attribute__((__format__(printf, a, b)))
#define __scanf(a, b) __attribute__((__format__(scanf, a, b)))
#define __must_check __attribute__((__warn_unused_result__))
#define __section(s) __attribute__((__section__(s)))
#define __visible __attribute__((__externally_visible__))
#define __pure __attribute__((__pure__))
#define fallthrough __attribute__((__fallthrough__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define barrier() __asm__ __volatile__("" : : : "memory")
#define mb() barrier()
#define rmb() barrier()
#define wmb() barrier()
#define smp_mb() barrier()
#define smp_rmb() barrier()
#define smp_wmb() barrier()
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
#define __same_type(a, b) __builtin_types_compatible_p(__typeof__(a), __typeof__(b))
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int:(-!!(e)); })))
/* As the kernel's: checked after constant folding (so _IOR() values qualify), not by the parser. */
#define BUILD_BUG_ON_MSG(cond, msg) do { \
	extern void __ag_build_bug(void) __attribute__((__error__(msg))); \
	if (cond) __ag_build_bug(); } while (0)
#define BUILD_BUG_ON(cond) BUILD_BUG_ON_MSG(cond, "BUILD_BUG_ON failed: " #cond)
#define static_assert(expr, ...) _Static_assert(expr, #expr)

/* ---- types.h ------------------------------------------------------------------------------- */
typedef signed char __s8;
typedef unsigned char __u8;
typedef signed short __s16;
typedef unsigned short __u16;
typedef signed int __s32;
typedef unsigned int __u32;
typedef signed long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __le16;
typedef __u16 __be16;
typedef __u32 __le32;
typedef __u32 __be32;
typedef __u64 __le64;
typedef __u64 __be64;
typedef unsigned long size_t;
typedef long ssize_t;
typedef long ptrdiff_t;
typedef unsigned long uintptr_t;
typedef long long loff_t;
typedef long off_t;
typedef _Bool bool;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long long uint64_t;
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long long int64_t;
typedef unsigned int gfp_t;
typedef u32 dev_t;
typedef unsigned short umode_t;
typedef unsigned int fmode_t;
typedef u64 phys_addr_t;
typedef u64 dma_addr_t;
typedef phys_addr_t resource_size_t;
typedef unsigned long kernel_ulong_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int __poll_t;
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef unsigned char unchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;

enum { false = 0, true = 1 };
#define false false
#define true true
#undef NULL
#define NULL ((void *)0)
#define offsetof(TYPE, MEMBER) __builtin_offsetof(TYPE, MEMBER)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))

typedef __builtin_va_list va_list;
#define va_start(v, l) __builtin_va_start(v, l)
#define va_end(v) __builtin_va_end(v)
#define va_arg(v, T) __builtin_va_arg(v, T)
#define va_copy(d, s) __builtin_va_copy(d, s)

#define U8_MAX ((u8)~0U)
#define S8_MAX ((s8)(U8_MAX >> 1))
#define U16_MAX ((u16)~0U)
#define S16_MAX ((s16)(U16_MAX >> 1))
#define U32_MAX ((u32)~0U)
#define S32_MAX ((s32)(U32_MAX >> 1))
#define U64_MAX ((u64)~0ULL)
#define S64_MAX ((s64)(U64_MAX >> 1))
#define INT_MAX ((int)(~0U >> 1))
#define INT_MIN (-INT_MAX - 1)
#define UINT_MAX (~0U)
#define LONG_MAX ((long)(~0UL >> 1))
#define LONG_MIN (-LONG_MAX - 1)
#define ULONG_MAX (~0UL)
#define SIZE_MAX (~(size_t)0)
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* ---- bits.h / bitops.h --------------------------------------------------------------------- */
#define BITS_PER_LONG 64
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define GENMASK(h, l) (((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l) (((~0ULL) - (1ULL << (l)) + 1) & (~0ULL >> (63 - (h))))
#define BITS_TO_LONGS(nr) (((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]
static inline void set_bit(long nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] |= BIT_MASK(nr); }
static inline void clear_bit(long nr, volatile unsigned long *addr) { addr[BIT_WORD(nr)] &= ~BIT_MASK(nr); }
static inline int test_bit(long nr, const volatile unsigned long *addr) { return 1UL & (addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG)); }
static inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{ int old = test_bit(nr, addr); set_bit(nr, addr); return old; }
static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{ int old = test_bit(nr, addr); clear_bit(nr, addr); return old; }

/* ---- kernel.h helpers ---------------------------------------------------------------------- */
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]) + \
	BUILD_BUG_ON_ZERO(__same_type((arr), &(arr)[0])))
#define min(x, y) ({ __typeof__(x) _min1 = (x); __typeof__(y) _min2 = (y); \
	(void)(&_min1 == &_min2); _min1 < _min2 ? _min1 : _min2; })
#define max(x, y) ({ __typeof__(x) _max1 = (x); __typeof__(y) _max2 = (y); \
	(void)(&_max1 == &_max2); _max1 > _max2 ? _max1 : _max2; })
#define min_t(type, x, y) ({ type __min1 = (x); type __min2 = (y); __min1 < __min2 ? __min1 : __min2; })
#define max_t(type, x, y) ({ type __max1 = (x); type __max2 = (y); __max1 > __max2 ? __max1 : __max2; })
#define clamp(val, lo, hi) min((__typeof__(val))max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define swap(a, b) do { __typeof__(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)
#define abs(x) ({ long __x = (x); __x < 0 ? -__x : __x; })
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define round_up(x, y) ((((x) - 1) | ((__typeof__(x))((y) - 1))) + 1)
#define round_down(x, y) ((x) & ~((__typeof__(x))((y) - 1)))
#define upper_32_bits(n) ((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n) ((u32)((n) & 0xffffffff))
#define cpu_to_le32(x) ((__le32)(u32)(x))
#define le32_to_cpu(x) ((u32)(__le32)(x))
#define cpu_to_le16(x) ((__le16)(u16)(x))
#define le16_to_cpu(x) ((u16)(__le16)(x))
#define cpu_to_le64(x) ((__le64)(u64)(x))
#define le64_to_cpu(x) ((u64)(__le64)(x))
#define cpu_to_be32(x) ((__be32)__builtin_bswap32(x))
#define be32_to_cpu(x) __builtin_bswap32((u32)(x))
#define cpu_to_be16(x) ((__be16)__builtin_bswap16(x))
#define be16_to_cpu(x) __builtin_bswap16((u16)(x))
#define cpu_relax() __asm__ __volatile__("pause" : : : "memory")

/* ---- sizes.h / bitfield.h / nospec.h / overflow.h (as Linux, header-only) ----------------- */
#define SZ_1 0x00000001
#define SZ_2 0x00000002
#define SZ_4 0x00000004
#define SZ_8 0x00000008
#define SZ_16 0x00000010
#define SZ_32 0x00000020
#define SZ_64 0x00000040
#define SZ_128 0x00000080
#define SZ_256 0x00000100
#define SZ_512 0x00000200
#define SZ_1K 0x00000400
#define SZ_2K 0x00000800
#define SZ_4K 0x00001000
#define SZ_8K 0x00002000
#define SZ_16K 0x00004000
#define SZ_32K 0x00008000
#define SZ_64K 0x00010000
#define SZ_1M 0x00100000
#define __bf_shf(x) (__builtin_ffsll(x) - 1)
#define FIELD_PREP(_mask, _val) (((__typeof__(_mask))(_val) << __bf_shf(_mask)) & (_mask))
#define FIELD_GET(_mask, _reg) ((__typeof__(_mask))(((_reg) & (_mask)) >> __bf_shf(_mask)))
#define FIELD_FIT(_mask, _val) (!((((__typeof__(_mask))(_val)) << __bf_shf(_mask)) & ~(_mask)))
#define FIELD_MAX(_mask) ((__typeof__(_mask))((_mask) >> __bf_shf(_mask)))
/* The value is the same as Linux's; the speculation barrier is moot here. */
#define array_index_nospec(index, size) ({ __typeof__(index) _i = (index); __typeof__(size) _s = (size); \
	(__typeof__(_i))(_i < _s ? _i : 0); })
#define check_add_overflow(a, b, d) __builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d) __builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)

/* ---- errno.h (asm-generic/errno-base.h + errno.h + linux/errno.h) -------------------------- */
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOTBLK 15
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOLCK 37
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define EWOULDBLOCK EAGAIN
#define ENOMSG 42
#define ENODATA 61
#define ETIME 62
#define EPROTO 71
#define EOVERFLOW 75
#define EBADMSG 74
#define EILSEQ 84
#define ENOTSOCK 88
#define EOPNOTSUPP 95
#define EADDRINUSE 98
#define ENOBUFS 105
#define ETIMEDOUT 110
#define EALREADY 114
#define EINPROGRESS 115
#define ECANCELED 125
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ENOIOCTLCMD 515
#define EPROBE_DEFER 517
#define ENOTSUPP 524

/* ---- err.h --------------------------------------------------------------------------------- */
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR_VALUE((unsigned long)ptr); }
static inline void *ERR_CAST(const void *ptr) { return (void *)ptr; }
static inline int PTR_ERR_OR_ZERO(const void *ptr) { return IS_ERR(ptr) ? (int)PTR_ERR(ptr) : 0; }

/* ---- ioctl.h (include/uapi/asm-generic/ioctl.h, exactly as Linux) -------------------------- */
#define _IOC_NRBITS 8
#define _IOC_TYPEBITS 8
#define _IOC_SIZEBITS 14
#define _IOC_DIRBITS 2
#define _IOC_NRMASK ((1 << _IOC_NRBITS) - 1)
#define _IOC_TYPEMASK ((1 << _IOC_TYPEBITS) - 1)
#define _IOC_SIZEMASK ((1 << _IOC_SIZEBITS) - 1)
#define _IOC_DIRMASK ((1 << _IOC_DIRBITS) - 1)
#define _IOC_NRSHIFT 0
#define _IOC_TYPESHIFT (_IOC_NRSHIFT + _IOC_NRBITS)
#define _IOC_SIZESHIFT (_IOC_TYPESHIFT + _IOC_TYPEBITS)
#define _IOC_DIRSHIFT (_IOC_SIZESHIFT + _IOC_SIZEBITS)
#define _IOC_NONE 0U
#define _IOC_WRITE 1U
#define _IOC_READ 2U
#define _IOC(dir, type, nr, size) \
	(((dir) << _IOC_DIRSHIFT) | \
	 ((type) << _IOC_TYPESHIFT) | \
	 ((nr) << _IOC_NRSHIFT) | \
	 ((size) << _IOC_SIZESHIFT))
/* The kernel's compile-time check (include/asm-generic/ioctl.h): a bad size argument fails to link. */
extern unsigned int __invalid_size_argument_for_IOC;
#define _IOC_TYPECHECK(t) \
	((sizeof(t) == sizeof(t[1]) && sizeof(t) < (1 << _IOC_SIZEBITS)) ? \
	 sizeof(t) : __invalid_size_argument_for_IOC)
#define _IO(type, nr) _IOC(_IOC_NONE, (type), (nr), 0)
#define _IOR(type, nr, size) _IOC(_IOC_READ, (type), (nr), (_IOC_TYPECHECK(size)))
#define _IOW(type, nr, size) _IOC(_IOC_WRITE, (type), (nr), (_IOC_TYPECHECK(size)))
#define _IOWR(type, nr, size) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), (_IOC_TYPECHECK(size)))
#define _IOR_BAD(type, nr, size) _IOC(_IOC_READ, (type), (nr), sizeof(size))
#define _IOW_BAD(type, nr, size) _IOC(_IOC_WRITE, (type), (nr), sizeof(size))
#define _IOWR_BAD(type, nr, size) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), sizeof(size))
#define _IOC_DIR(nr) (((nr) >> _IOC_DIRSHIFT) & _IOC_DIRMASK)
#define _IOC_TYPE(nr) (((nr) >> _IOC_TYPESHIFT) & _IOC_TYPEMASK)
#define _IOC_NR(nr) (((nr) >> _IOC_NRSHIFT) & _IOC_NRMASK)
#define _IOC_SIZE(nr) (((nr) >> _IOC_SIZESHIFT) & _IOC_SIZEMASK)
#define IOC_IN (_IOC_WRITE << _IOC_DIRSHIFT)
#define IOC_OUT (_IOC_READ << _IOC_DIRSHIFT)
#define IOC_INOUT ((_IOC_WRITE | _IOC_READ) << _IOC_DIRSHIFT)
#define IOCSIZE_MASK (_IOC_SIZEMASK << _IOC_SIZESHIFT)
#define IOCSIZE_SHIFT (_IOC_SIZESHIFT)

/* ---- printk.h (model) ---------------------------------------------------------------------- */
#define KERN_SOH "\001"
#define KERN_SOH_ASCII '\001'
#define KERN_EMERG KERN_SOH "0"
#define KERN_ALERT KERN_SOH "1"
#define KERN_CRIT KERN_SOH "2"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_NOTICE KERN_SOH "5"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_DEFAULT ""
#define KERN_CONT KERN_SOH "c"
#define LOGLEVEL_DEFAULT (-1)
#define LOGLEVEL_EMERG 0
#define LOGLEVEL_ERR 3
#define LOGLEVEL_INFO 6
#define LOGLEVEL_DEBUG 7

__printf(1, 2) __cold int printk(const char *fmt, ...);
__printf(1, 0) int vprintk(const char *fmt, va_list args);
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define no_printk(fmt, ...) ({ if (0) printk(fmt, ##__VA_ARGS__); 0; })
#define pr_emerg(fmt, ...) printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...) printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...) printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)
/* As in a default kernel (no DEBUG, no dynamic debug): pr_debug is type-checked and compiled out. */
#ifdef DEBUG
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_devel(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#else
/* The grader is told that it printed nothing, so the dmesg check can say why the message is missing. */
int __ag_pr_debug(const char *fmt);
#define pr_debug(fmt, ...) ({ no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__); __ag_pr_debug(pr_fmt(fmt)); })
#define pr_devel(fmt, ...) no_printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#endif
#define printk_ratelimit() 1
#define pr_err_ratelimited pr_err
#define pr_warn_ratelimited pr_warn
#define pr_info_ratelimited pr_info
#define pr_err_once pr_err
#define pr_warn_once pr_warn
#define pr_info_once pr_info

/* ---- bug.h (model) ------------------------------------------------------------------------- */
__noreturn void __ag_bug(const char *file, int line);
__noreturn __printf(1, 2) void panic(const char *fmt, ...);
int __ag_warn(const char *file, int line);
#define BUG() __ag_bug(__FILE__, __LINE__)
#define BUG_ON(cond) do { if (unlikely(cond)) BUG(); } while (0)
#define WARN_ON(cond) ({ int __ret_warn_on = !!(cond); \
	if (unlikely(__ret_warn_on)) __ag_warn(__FILE__, __LINE__); unlikely(__ret_warn_on); })
#define WARN_ON_ONCE(cond) WARN_ON(cond)
#define WARN(cond, fmt, ...) ({ int __ret_warn = !!(cond); \
	if (unlikely(__ret_warn)) { __ag_warn(__FILE__, __LINE__); printk(fmt, ##__VA_ARGS__); } \
	unlikely(__ret_warn); })
#define WARN_ONCE WARN

/* ---- string.h / sprintf.h (libc's implementations serve: same contract) -------------------- */
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
char *strcpy(char *dest, const char *src);
char *strncpy(char *dest, const char *src, size_t n);
char *strcat(char *dest, const char *src);
char *strncat(char *dest, const char *src, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strsep(char **stringp, const char *delim);
ssize_t strscpy(char *dest, const char *src, size_t count);
size_t strlcpy(char *dest, const char *src, size_t size);
__printf(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);
__printf(3, 4) int scnprintf(char *buf, size_t size, const char *fmt, ...);
__printf(2, 3) int sprintf(char *buf, const char *fmt, ...);
__printf(3, 0) int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
__printf(3, 0) int vscnprintf(char *buf, size_t size, const char *fmt, va_list args);
__printf(2, 0) int vsprintf(char *buf, const char *fmt, va_list args);
__scanf(2, 3) int sscanf(const char *buf, const char *fmt, ...);
__printf(2, 3) char *kasprintf(gfp_t gfp, const char *fmt, ...);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtol(const char *s, unsigned int base, long *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtoint(const char *s, unsigned int base, int *res);
unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base);

/* ---- module.h / init.h / moduleparam.h / export.h ------------------------------------------ */
struct module;
#define THIS_MODULE ((struct module *)0)
typedef int (*initcall_t)(void);
typedef void (*exitcall_t)(void);
/* The host finds the driver's entry points through these two well-known symbols. A second
 * module_init in one file is a redefinition error, as it is for a kernel module. */
#define module_init(initfn) initcall_t __ag_initcall = (initfn)
#define module_exit(exitfn) exitcall_t __ag_exitcall = (exitfn)
#define init_module __ag_init_module
#define cleanup_module __ag_cleanup_module
int init_module(void);
void cleanup_module(void);
#define early_initcall(fn) module_init(fn)
#define core_initcall(fn) module_init(fn)
#define postcore_initcall(fn) module_init(fn)
#define arch_initcall(fn) module_init(fn)
#define subsys_initcall(fn) module_init(fn)
#define fs_initcall(fn) module_init(fn)
#define device_initcall(fn) module_init(fn)
#define late_initcall(fn) module_init(fn)
#define late_initcall_sync(fn) module_init(fn)
#define builtin_driver(drv, reg, ...) \
	static int __init __ag_builtin_init(void) { return reg(&(drv), ##__VA_ARGS__); } \
	module_init(__ag_builtin_init)
#define __ag_module_info(tag) extern int __ag_module_info_##tag
#define MODULE_LICENSE(x) __ag_module_info(license)
#define MODULE_AUTHOR(x) __ag_module_info(author)
#define MODULE_DESCRIPTION(x) __ag_module_info(description)
#define MODULE_VERSION(x) __ag_module_info(version)
#define MODULE_ALIAS(x) __ag_module_info(alias)
#define MODULE_SOFTDEP(x) __ag_module_info(softdep)
#define MODULE_INFO(tag, x) __ag_module_info(info)
#define MODULE_FIRMWARE(x) __ag_module_info(firmware)
#define MODULE_IMPORT_NS(x) __ag_module_info(import_ns)
#define MODULE_DEVICE_TABLE(type, name) __ag_module_info(device_table)
#define MODULE_PARM_DESC(var, desc) __ag_module_info(parm_desc)
#define module_param(name, type, perm) \
	static void *__ag_param_##name __attribute__((__unused__)) = &(name)
#define module_param_named(name, value, type, perm) \
	static void *__ag_param_##name __attribute__((__unused__)) = &(value)
#define module_param_array(name, type, nump, perm) \
	static void *__ag_param_##name __attribute__((__unused__)) = &(name)
#define EXPORT_SYMBOL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_NS(sym, ns) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns) extern __typeof__(sym) sym
static inline bool try_module_get(struct module *m) { (void)m; return true; }
static inline void module_put(struct module *m) { (void)m; }

/* ---- kdev_t.h ------------------------------------------------------------------------------ */
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int)((dev) & MINORMASK))
#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))

/* ---- slab.h / gfp.h (model) ---------------------------------------------------------------- */
#define GFP_KERNEL 0xcc0U
#define GFP_ATOMIC 0xa20U
#define GFP_NOWAIT 0x800U
#define GFP_NOIO 0xc00U
#define GFP_NOFS 0xc40U
#define GFP_USER 0x100cc0U
#define GFP_DMA 0x01U
#define __GFP_ZERO 0x100U
#define __GFP_NOWARN 0x2000U
void *kmalloc(size_t size, gfp_t flags) __attribute__((__malloc__));
void *kzalloc(size_t size, gfp_t flags) __attribute__((__malloc__));
void *kcalloc(size_t n, size_t size, gfp_t flags) __attribute__((__malloc__));
void *kmalloc_array(size_t n, size_t size, gfp_t flags) __attribute__((__malloc__));
void *krealloc(const void *p, size_t new_size, gfp_t flags);
void kfree(const void *p);
void kfree_sensitive(const void *p);
char *kstrdup(const char *s, gfp_t gfp);
void *kmemdup(const void *src, size_t len, gfp_t gfp);
void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void vfree(const void *addr);
void *kvmalloc(size_t size, gfp_t flags);
void *kvzalloc(size_t size, gfp_t flags);
void kvfree(const void *addr);

/* ---- mutex.h / spinlock.h / atomic (single-threaded host: local state only) ---------------- */
struct mutex { int __ag_locked; const char *__ag_name; };
#define __MUTEX_INITIALIZER(name) { 0, #name }
#define DEFINE_MUTEX(name) struct mutex name = __MUTEX_INITIALIZER(name)
#define mutex_init(m) do { (m)->__ag_locked = 0; (m)->__ag_name = #m; } while (0)
void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
int __must_check mutex_lock_interruptible(struct mutex *lock);
int __must_check mutex_lock_killable(struct mutex *lock);
static inline bool mutex_is_locked(struct mutex *lock) { return lock->__ag_locked != 0; }
static inline void mutex_destroy(struct mutex *lock) { (void)lock; }
typedef struct { int __ag_locked; } spinlock_t;
typedef struct { int __ag_locked; } raw_spinlock_t;
typedef struct { int __ag_locked; } rwlock_t;
#define __SPIN_LOCK_UNLOCKED(name) { 0 }
#define DEFINE_SPINLOCK(name) spinlock_t name = { 0 }
#define DEFINE_RAW_SPINLOCK(name) raw_spinlock_t name = { 0 }
#define DEFINE_RWLOCK(name) rwlock_t name = { 0 }
#define spin_lock_init(l) do { (l)->__ag_locked = 0; } while (0)
#define raw_spin_lock_init(l) do { (l)->__ag_locked = 0; } while (0)
#define rwlock_init(l) do { (l)->__ag_locked = 0; } while (0)
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
int spin_trylock(spinlock_t *lock);
#define spin_lock_irq(l) spin_lock(l)
#define spin_unlock_irq(l) spin_unlock(l)
#define spin_lock_bh(l) spin_lock(l)
#define spin_unlock_bh(l) spin_unlock(l)
#define spin_lock_irqsave(l, flags) do { (flags) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); spin_unlock(l); } while (0)
#define raw_spin_lock(l) spin_lock((spinlock_t *)(l))
#define raw_spin_unlock(l) spin_unlock((spinlock_t *)(l))
#define read_lock(l) ((void)(l))
#define read_unlock(l) ((void)(l))
#define write_lock(l) ((void)(l))
#define write_unlock(l) ((void)(l))
#define local_irq_save(flags) do { (flags) = 0; } while (0)
#define local_irq_restore(flags) do { (void)(flags); } while (0)
#define local_irq_disable() do { } while (0)
#define local_irq_enable() do { } while (0)
#define preempt_disable() do { } while (0)
#define preempt_enable() do { } while (0)
#define ATOMIC_INIT(i) { (i) }
static inline int atomic_read(const atomic_t *v) { return READ_ONCE(v->counter); }
static inline void atomic_set(atomic_t *v, int i) { WRITE_ONCE(v->counter, i); }
static inline void atomic_inc(atomic_t *v) { v->counter++; }
static inline void atomic_dec(atomic_t *v) { v->counter--; }
static inline void atomic_add(int i, atomic_t *v) { v->counter += i; }
static inline void atomic_sub(int i, atomic_t *v) { v->counter -= i; }
static inline int atomic_inc_return(atomic_t *v) { return ++v->counter; }
static inline int atomic_dec_return(atomic_t *v) { return --v->counter; }
static inline bool atomic_dec_and_test(atomic_t *v) { return --v->counter == 0; }
static inline int atomic_cmpxchg(atomic_t *v, int old, int new_)
{ int cur = v->counter; if (cur == old) v->counter = new_; return cur; }
static inline int atomic_xchg(atomic_t *v, int new_) { int cur = v->counter; v->counter = new_; return cur; }

/* ---- random.h / delay.h / sched.h / jiffies (model) ---------------------------------------- */
u32 get_random_u32(void);
u64 get_random_u64(void);
u16 get_random_u16(void);
u8 get_random_u8(void);
u32 get_random_u32_below(u32 ceil);
void get_random_bytes(void *buf, size_t len);
static inline u32 prandom_u32_max(u32 ceil) { return get_random_u32_below(ceil); }
void msleep(unsigned int msecs);
unsigned long msleep_interruptible(unsigned int msecs);
void ssleep(unsigned int seconds);
void usleep_range(unsigned long min, unsigned long max);
void udelay(unsigned long usecs);
void ndelay(unsigned long nsecs);
void mdelay(unsigned long msecs);
void fsleep(unsigned long usecs);
#define HZ 250
extern volatile unsigned long jiffies;
unsigned long msecs_to_jiffies(const unsigned int m);
unsigned int jiffies_to_msecs(const unsigned long j);
#define time_after(a, b) ((long)((b) - (a)) < 0)
#define time_before(a, b) time_after(b, a)
#define time_after_eq(a, b) ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b) time_after_eq(b, a)
u64 ktime_get_ns(void);
void schedule(void);
void cond_resched(void);
#define might_sleep() do { } while (0)
struct task_struct { pid_t pid; char comm[16]; };
extern struct task_struct *__ag_current;
#define current __ag_current
static inline int signal_pending(struct task_struct *p) { (void)p; return false; }
static inline bool capable(int cap) { (void)cap; return true; }
#define CAP_SYS_ADMIN 21
#define CAP_SYS_RAWIO 17

/* ---- uaccess.h (model: every access goes through the grader's user memory) ----------------- */
unsigned long __must_check copy_to_user(void __user *to, const void *from, unsigned long n);
unsigned long __must_check copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long __must_check clear_user(void __user *to, unsigned long n);
long strncpy_from_user(char *dst, const char __user *src, long count);
int __ag_put_user(const void *kval, void __user *uptr, unsigned long size);
int __ag_get_user(void *kval, const void __user *uptr, unsigned long size);
#define raw_copy_to_user copy_to_user
#define raw_copy_from_user copy_from_user
#define __copy_to_user copy_to_user
#define __copy_from_user copy_from_user
#define TASK_SIZE_MAX 0x00007ffffffff000UL
#define access_ok(addr, size) \
	({ unsigned long __ao_a = (unsigned long)(addr), __ao_s = (unsigned long)(size); \
	   __ao_s <= TASK_SIZE_MAX && __ao_a <= TASK_SIZE_MAX - __ao_s; })
/* Type-generic like the kernel's: the size comes from *ptr; x is converted to that type. */
#define put_user(x, ptr) ({ \
	__typeof__(*(ptr)) __pu_val = (__typeof__(*(ptr)))(x); \
	(void)sizeof(char[1 - 2 * (sizeof(*(ptr)) > 8)]); \
	__ag_put_user(&__pu_val, (ptr), sizeof(*(ptr))); })
#define get_user(x, ptr) ({ \
	unsigned long long __gu_val = 0; \
	(void)sizeof(char[1 - 2 * (sizeof(*(ptr)) > 8)]); \
	int __gu_err = __ag_get_user(&__gu_val, (ptr), sizeof(*(ptr))); \
	(x) = (__typeof__(*(ptr)))__gu_val; \
	__gu_err; })
#define __put_user(x, ptr) put_user(x, ptr)
#define __get_user(x, ptr) get_user(x, ptr)

/* ---- io.h (model: every MMIO access is answered by the grader's device) -------------------- */
void __iomem *ioremap(phys_addr_t offset, size_t size);
void __iomem *ioremap_wc(phys_addr_t offset, size_t size);
void __iomem *ioremap_uc(phys_addr_t offset, size_t size);
void __iomem *ioremap_cache(phys_addr_t offset, size_t size);
void iounmap(volatile void __iomem *addr);
unsigned int ioread8(const void __iomem *addr);
unsigned int ioread16(const void __iomem *addr);
unsigned int ioread32(const void __iomem *addr);
void iowrite8(u8 value, void __iomem *addr);
void iowrite16(u16 value, void __iomem *addr);
void iowrite32(u32 value, void __iomem *addr);
u8 readb(const volatile void __iomem *addr);
u16 readw(const volatile void __iomem *addr);
u32 readl(const volatile void __iomem *addr);
u64 readq(const volatile void __iomem *addr);
void writeb(u8 value, volatile void __iomem *addr);
void writew(u16 value, volatile void __iomem *addr);
void writel(u32 value, volatile void __iomem *addr);
void writeq(u64 value, volatile void __iomem *addr);
#define readb_relaxed readb
#define readw_relaxed readw
#define readl_relaxed readl
#define readq_relaxed readq
#define writeb_relaxed writeb
#define writew_relaxed writew
#define writel_relaxed writel
#define writeq_relaxed writeq
#define __raw_readl readl
#define __raw_writel writel
void memcpy_fromio(void *to, const volatile void __iomem *from, size_t count);
void memcpy_toio(volatile void __iomem *to, const void *from, size_t count);
void memset_io(volatile void __iomem *addr, int value, size_t count);

/* Doubly linked lists (linux/list.h), for drivers that keep a list of open files or buffers. */
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l; l->prev = l; }
static inline void __ag_list_insert(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n; n->next = next; n->prev = prev; prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *head) { __ag_list_insert(n, head, head->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *head) { __ag_list_insert(n, head->prev, head); }
static inline void list_del(struct list_head *e) { e->next->prev = e->prev; e->prev->next = e->next; e->next = e->prev = NULL; }
static inline int list_empty(const struct list_head *head) { return head->next == head; }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_entry(pos, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = list_entry((head)->next, __typeof__(*pos), member), \
	     n = list_entry(pos->member.next, __typeof__(*pos), member); &pos->member != (head); \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

/* I/O memory regions (linux/ioport.h). Claiming a region is bookkeeping the device model does not need:
 * it always succeeds, so drivers that claim before ioremap (and release after iounmap) work. */
struct resource {
	resource_size_t start;
	resource_size_t end;
	const char *name;
	unsigned long flags;
	unsigned long desc;
	struct resource *parent, *sibling, *child;
};
#define IORESOURCE_MEM 0x00000200
#define IORESOURCE_IO 0x00000100
static inline struct resource *__ag_claim_region(resource_size_t start, resource_size_t n, const char *name)
{
	static struct resource claimed;
	claimed.start = start;
	claimed.end = start + n - 1;
	claimed.name = name;
	claimed.flags = IORESOURCE_MEM;
	return &claimed;
}
#define request_mem_region(start, n, name) __ag_claim_region((start), (n), (name))
#define request_region(start, n, name) __ag_claim_region((start), (n), (name))
#define devm_request_mem_region(dev, start, n, name) __ag_claim_region((start), (n), (name))
#define release_mem_region(start, n) ((void)(start), (void)(n))
#define release_region(start, n) ((void)(start), (void)(n))
static inline resource_size_t resource_size(const struct resource *res) { return res->end - res->start + 1; }

/* ---- device.h ------------------------------------------------------------------------------ */
struct device_driver { const char *name; struct module *owner; };
struct device { struct device *parent; void *driver_data; const char *init_name; struct device_driver *driver; };
static inline void *dev_get_drvdata(const struct device *dev) { return dev->driver_data; }
static inline void dev_set_drvdata(struct device *dev, void *data) { dev->driver_data = data; }
static inline const char *dev_name(const struct device *dev) { (void)dev; return "0000:00:04.0"; }
#define dev_printk(level, dev, fmt, ...) printk(level "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
#define dev_emerg(dev, fmt, ...) dev_printk(KERN_EMERG, dev, fmt, ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...) dev_printk(KERN_CRIT, dev, fmt, ##__VA_ARGS__)
#define dev_alert(dev, fmt, ...) dev_printk(KERN_ALERT, dev, fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...) dev_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...) dev_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) dev_printk(KERN_NOTICE, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...) dev_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)
#ifdef DEBUG
#define dev_dbg(dev, fmt, ...) dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__)
#else
#define dev_dbg(dev, fmt, ...) ({ if (0) dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__); 0; })
#endif
struct class;
/* Device nodes are a user-space concern of the VM; the model accepts them and keeps nothing.
 * class_create has the one-argument signature of Linux 6.4+ (the exercise's kernel is 6.6). */
struct class *class_create(const char *name);
void class_destroy(struct class *cls);
__printf(5, 6) struct device *device_create(struct class *cls, struct device *parent, dev_t devt,
	void *drvdata, const char *fmt, ...);
void device_destroy(struct class *cls, dev_t devt);

/* ---- fs.h (model: register_chrdev keeps fops locally, the grader keeps the table) ---------- */
struct inode { dev_t i_rdev; umode_t i_mode; void *i_private; struct cdev *i_cdev; };
struct file_operations;
struct file {
	const struct file_operations *f_op;
	unsigned int f_flags;
	fmode_t f_mode;
	loff_t f_pos;
	void *private_data;
	struct inode *f_inode;
};
struct vm_area_struct;
struct poll_table_struct;
struct kiocb;
struct iov_iter;
struct dir_context;
struct file_lock;
typedef void *fl_owner_t;
struct file_operations {
	struct module *owner;
	loff_t (*llseek)(struct file *, loff_t, int);
	ssize_t (*read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write)(struct file *, const char __user *, size_t, loff_t *);
	ssize_t (*read_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*write_iter)(struct kiocb *, struct iov_iter *);
	int (*iterate_shared)(struct file *, struct dir_context *);
	__poll_t (*poll)(struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	long (*compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*mmap)(struct file *, struct vm_area_struct *);
	int (*open)(struct inode *, struct file *);
	int (*flush)(struct file *, fl_owner_t id);
	int (*release)(struct inode *, struct file *);
	int (*fsync)(struct file *, loff_t, loff_t, int datasync);
	int (*fasync)(int, struct file *, int);
	int (*lock)(struct file *, int, struct file_lock *);
};
static inline struct inode *file_inode(const struct file *f) { return f->f_inode; }
static inline unsigned int iminor(const struct inode *inode) { return MINOR(inode->i_rdev); }
static inline unsigned int imajor(const struct inode *inode) { return MAJOR(inode->i_rdev); }
int register_chrdev(unsigned int major, const char *name, const struct file_operations *fops);
void unregister_chrdev(unsigned int major, const char *name);
int register_chrdev_region(dev_t from, unsigned int count, const char *name);
int alloc_chrdev_region(dev_t *dev, unsigned int baseminor, unsigned int count, const char *name);
void unregister_chrdev_region(dev_t from, unsigned int count);
loff_t no_llseek(struct file *file, loff_t offset, int whence);
loff_t noop_llseek(struct file *file, loff_t offset, int whence);
int nonseekable_open(struct inode *inode, struct file *filp);
ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from, size_t available);
#define FMODE_READ 0x1U
#define FMODE_WRITE 0x2U
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_NONBLOCK 00004000

/* ---- cdev.h / miscdevice.h (model: regions and misc devices are chrdev registrations) ------ */
struct kobject { const char *name; };
struct cdev { struct kobject kobj; struct module *owner; const struct file_operations *ops; dev_t dev; unsigned int count; };
void cdev_init(struct cdev *cdev, const struct file_operations *fops);
struct cdev *cdev_alloc(void);
int cdev_add(struct cdev *p, dev_t dev, unsigned int count);
void cdev_del(struct cdev *p);
#define MISC_MAJOR 10
#define MISC_DYNAMIC_MINOR 255
struct attribute_group;
struct miscdevice {
	int minor;
	const char *name;
	const struct file_operations *fops;
	struct device *parent;
	struct device *this_device;
	const struct attribute_group **groups;
	const char *nodename;
	umode_t mode;
};
int misc_register(struct miscdevice *misc);
void misc_deregister(struct miscdevice *misc);

/* ---- proc_fs.h, seq_file.h (a /proc file is a user-space view: created, never read here) --- */
struct proc_dir_entry;
struct seq_file {
	char *buf;
	size_t size;
	size_t from;
	size_t count;
	loff_t index;
	loff_t read_pos;
	struct mutex lock;
	const struct seq_operations *op;
	const struct file *file;
	void *private;
};
struct seq_operations {
	void *(*start)(struct seq_file *m, loff_t *pos);
	void (*stop)(struct seq_file *m, void *v);
	void *(*next)(struct seq_file *m, void *v, loff_t *pos);
	int (*show)(struct seq_file *m, void *v);
};
struct proc_ops {
	unsigned int proc_flags;
	int (*proc_open)(struct inode *, struct file *);
	ssize_t (*proc_read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*proc_read_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*proc_write)(struct file *, const char __user *, size_t, loff_t *);
	loff_t (*proc_lseek)(struct file *, loff_t, int);
	int (*proc_release)(struct inode *, struct file *);
	__poll_t (*proc_poll)(struct file *, struct poll_table_struct *);
	long (*proc_ioctl)(struct file *, unsigned int, unsigned long);
	long (*proc_compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*proc_mmap)(struct file *, struct vm_area_struct *);
	unsigned long (*proc_get_unmapped_area)(struct file *, unsigned long, unsigned long, unsigned long, unsigned long);
};
#define PROC_ENTRY_PERMANENT 0U /* as for a module (MODULE is defined) */
struct proc_dir_entry *proc_create(const char *name, umode_t mode, struct proc_dir_entry *parent,
	const struct proc_ops *proc_ops);
struct proc_dir_entry *proc_create_data(const char *name, umode_t mode, struct proc_dir_entry *parent,
	const struct proc_ops *proc_ops, void *data);
struct proc_dir_entry *proc_create_single_data(const char *name, umode_t mode, struct proc_dir_entry *parent,
	int (*show)(struct seq_file *, void *), void *data);
#define proc_create_single(name, mode, parent, show) proc_create_single_data(name, mode, parent, show, NULL)
struct proc_dir_entry *proc_mkdir(const char *name, struct proc_dir_entry *parent);
void proc_remove(struct proc_dir_entry *de);
void remove_proc_entry(const char *name, struct proc_dir_entry *parent);
void *pde_data(const struct inode *inode);
ssize_t seq_read(struct file *file, char __user *buf, size_t size, loff_t *ppos);
loff_t seq_lseek(struct file *file, loff_t offset, int whence);
int seq_open(struct file *file, const struct seq_operations *op);
int seq_release(struct inode *inode, struct file *file);
int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data);
int single_release(struct inode *inode, struct file *file);
__printf(2, 3) void seq_printf(struct seq_file *m, const char *fmt, ...);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);
int seq_write(struct seq_file *m, const void *data, size_t len);
#define DEFINE_SHOW_ATTRIBUTE(__name) \
static int __name ## _open(struct inode *inode, struct file *file) \
{ return single_open(file, __name ## _show, inode->i_private); } \
static const struct file_operations __name ## _fops = { \
	.owner = THIS_MODULE, .open = __name ## _open, .read = seq_read, \
	.llseek = seq_lseek, .release = single_release, }
#define DEFINE_PROC_SHOW_ATTRIBUTE(__name) \
static int __name ## _open(struct inode *inode, struct file *file) \
{ return single_open(file, __name ## _show, pde_data(inode)); } \
static const struct proc_ops __name ## _proc_ops = { \
	.proc_open = __name ## _open, .proc_read = seq_read, \
	.proc_lseek = seq_lseek, .proc_release = single_release, }

/* ---- compat.h (the grader calls unlocked_ioctl; a 32-bit caller never comes) --------------- */
typedef u32 compat_uptr_t;
typedef s32 compat_int_t;
typedef u32 compat_uint_t;
typedef u32 compat_ulong_t;
static inline void __user *compat_ptr(compat_uptr_t uptr) { return (void __user *)(unsigned long)uptr; }
static inline compat_uptr_t ptr_to_compat(void __user *uptr) { return (u32)(unsigned long)uptr; }
long compat_ptr_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* ---- interrupt.h (declared; no interrupts in this exercise) -------------------------------- */
typedef enum { IRQ_NONE = 0, IRQ_HANDLED = 1, IRQ_WAKE_THREAD = 2 } irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int, void *);
#define IRQF_SHARED 0x00000080
int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
	unsigned long flags, const char *name, void *dev);
/* As in Linux, an inline: the symbol a driver needs (and the model lacks) is request_threaded_irq. */
static inline int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags, const char *name, void *dev)
{ return request_threaded_irq(irq, handler, NULL, flags, name, dev); }
const void *free_irq(unsigned int irq, void *dev_id);

/* ---- pci.h (model: lookups and probes answered by the grader's bus) ------------------------ */
#define PCI_ANY_ID (~0U)
#define IORESOURCE_IO 0x00000100
#define IORESOURCE_MEM 0x00000200
struct pci_device_id {
	__u32 vendor, device;
	__u32 subvendor, subdevice;
	__u32 class, class_mask;
	kernel_ulong_t driver_data;
	__u32 override_only;
};
#define PCI_DEVICE(vend, dev) \
	.vendor = (vend), .device = (dev), .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID
#define PCI_VDEVICE(vend, dev) \
	.vendor = PCI_VENDOR_ID_##vend, .device = (dev), .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID, 0, 0
#define PCI_STD_NUM_BARS 6
#define PCI_ROM_RESOURCE 6
#define DEVICE_COUNT_RESOURCE 17
typedef struct pm_message { int event; } pm_message_t;
struct pci_bus { unsigned char number; };
struct pci_dev {
	struct pci_bus *bus;
	unsigned int devfn;
	unsigned short vendor;
	unsigned short device;
	unsigned short subsystem_vendor;
	unsigned short subsystem_device;
	unsigned int class;
	u8 revision;
	struct device dev;
	unsigned int irq;
	/* As Linux fills it at enumeration: BAR i is resource[i] (start, end = start + len - 1, flags). */
	struct resource resource[DEVICE_COUNT_RESOURCE];
	unsigned long long __ag_handle;
};
#define to_pci_dev(n) container_of(n, struct pci_dev, dev)
struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table;
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	void (*remove)(struct pci_dev *dev);
	int (*suspend)(struct pci_dev *dev, pm_message_t state);
	int (*resume)(struct pci_dev *dev);
	void (*shutdown)(struct pci_dev *dev);
	struct device_driver driver;
};
struct pci_dev *pci_get_device(unsigned int vendor, unsigned int device, struct pci_dev *from);
struct pci_dev *pci_get_subsys(unsigned int vendor, unsigned int device, unsigned int ss_vendor,
	unsigned int ss_device, struct pci_dev *from);
void pci_dev_put(struct pci_dev *dev);
struct pci_dev *pci_dev_get(struct pci_dev *dev);
int __must_check pci_enable_device(struct pci_dev *dev);
int __must_check pci_enable_device_mem(struct pci_dev *dev);
void pci_disable_device(struct pci_dev *dev);
void pci_set_master(struct pci_dev *dev);
void pci_clear_master(struct pci_dev *dev);
int __must_check pci_request_regions(struct pci_dev *dev, const char *name);
void pci_release_regions(struct pci_dev *dev);
int __must_check pci_request_region(struct pci_dev *dev, int bar, const char *name);
void pci_release_region(struct pci_dev *dev, int bar);
/* Macros over resource[] as in Linux: a driver may read the members or the macros alike. */
#define pci_resource_start(dev, bar) ((dev)->resource[(bar)].start)
#define pci_resource_end(dev, bar) ((dev)->resource[(bar)].end)
#define pci_resource_flags(dev, bar) ((dev)->resource[(bar)].flags)
#define pci_resource_len(dev, bar) \
	((pci_resource_end((dev), (bar)) == 0) ? 0 : \
	 (pci_resource_end((dev), (bar)) - pci_resource_start((dev), (bar)) + 1))
void __iomem *pci_iomap(struct pci_dev *dev, int bar, unsigned long maxlen);
void __iomem *pci_ioremap_bar(struct pci_dev *pdev, int bar);
void pci_iounmap(struct pci_dev *dev, void __iomem *addr);
int __must_check pci_register_driver(struct pci_driver *drv);
void pci_unregister_driver(struct pci_driver *drv);
static inline void *pci_get_drvdata(struct pci_dev *pdev) { return dev_get_drvdata(&pdev->dev); }
static inline void pci_set_drvdata(struct pci_dev *pdev, void *data) { dev_set_drvdata(&pdev->dev, data); }
static inline const char *pci_name(const struct pci_dev *pdev) { return dev_name(&pdev->dev); }
int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *val);
int pci_read_config_word(const struct pci_dev *dev, int where, u16 *val);
int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *val);
int pci_write_config_byte(const struct pci_dev *dev, int where, u8 val);
int pci_write_config_word(const struct pci_dev *dev, int where, u16 val);
int pci_write_config_dword(const struct pci_dev *dev, int where, u32 val);
/* devm/pcim variants: released by the bus on unbind in the kernel; here only the mapping is real. */
int __must_check pcim_enable_device(struct pci_dev *pdev);
#define module_pci_driver(__pci_driver) \
	static int __init __ag_pci_driver_init(void) { return pci_register_driver(&(__pci_driver)); } \
	static void __exit __ag_pci_driver_exit(void) { pci_unregister_driver(&(__pci_driver)); } \
	module_init(__ag_pci_driver_init); \
	module_exit(__ag_pci_driver_exit)
#define builtin_pci_driver(__pci_driver) builtin_driver(__pci_driver, pci_register_driver)

#endif /* AG_KERNEL_H */
