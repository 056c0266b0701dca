/* <linux/io-64-nonatomic-lo-hi.h> of the autograder's kernel model: two 32-bit accesses, low word
 * first (x86-64 has readq/writeq too). Here, not in <ag/kernel.h>, as in Linux. */
#ifndef AG_LINUX_IO_64_NONATOMIC_LO_HI_H
#define AG_LINUX_IO_64_NONATOMIC_LO_HI_H
#include <ag/kernel.h>
static inline u64 lo_hi_readq(const volatile void __iomem *addr)
{ u32 low = readl(addr); u32 high = readl((const volatile u8 __iomem *)addr + 4); return low + ((u64)high << 32); }
static inline void lo_hi_writeq(u64 value, volatile void __iomem *addr)
{ writel((u32)value, addr); writel((u32)(value >> 32), (volatile u8 __iomem *)addr + 4); }
#define lo_hi_readq_relaxed lo_hi_readq
#define lo_hi_writeq_relaxed lo_hi_writeq
#endif
